package dev.firmament.protocol;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.PathPart;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The header protocol's check-ins on a plain Vert.x route, in front of Quarkus REST. The common answer (304, nothing to
 * do) is decided in memory and sent from the event loop; only an image goes to a worker thread, since the object store
 * may have to fill its local cache first. Measured (docs/benchmarks.md): a 304 through Quarkus REST costs about twice
 * what the same answer costs here, in routing, header maps, context propagation and the hop to a worker.
 * {@link EspHttpUpdateResource} answers what this route does not match (HEAD), through the same
 * {@link EspHttpUpdateResource.Check}.
 */
@ApplicationScoped
class EspHttpUpdateRoute {

    private final EspHttpUpdateResource.Check check;

    EspHttpUpdateRoute(EspHttpUpdateResource.Check check) {
        this.check = check;
    }

    void register(@Observes Router router) {
        router.get("/d/:key/update").handler(request -> handle(request, null));
        router.get("/d/:key/update/:product").handler(request -> handle(request, request.pathParam("product")));
    }

    private void handle(RoutingContext request, String product) {
        EspHttpUpdateResource.Answer answer;
        try {
            answer = check.decide(request.pathParam("key"), product, request.request().headers()::get, request);
        } catch (BadDeviceRequestException e) {
            text(request, 400, e.getMessage());
            return;
        }
        switch (answer.kind()) {
        case NOT_MODIFIED -> request.response().setStatusCode(304).end();
        case VERSION -> {
            HttpServerResponse response = request.response().putHeader("x-version", answer.version());
            if (answer.md5() != null) {
                response.putHeader("x-MD5", answer.md5());
            }
            response.end();
        }
        case REFUSED -> text(request, answer.status(), answer.message());
        case IMAGE -> request.vertx().executeBlocking(() -> check.image(answer.offer(), request), false)
                .onComplete(sent -> {
                    if (sent.succeeded()) {
                        write(request, sent.result());
                    } else {
                        request.fail(sent.cause());
                    }
                });
        }
    }

    private static void text(RoutingContext request, int status, String message) {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain").end(message + "\n");
    }

    /** Sends an image response as {@link ImageResponses} builds it: status, headers, and the file or a text body. */
    private static void write(RoutingContext request, Response answer) {
        HttpServerResponse response = request.response().setStatusCode(answer.getStatus());
        answer.getStringHeaders().forEach((name, values) -> response.putHeader(name, values));
        if (answer.getEntity() instanceof PathPart file) {
            request.put(ImageResponses.WRITER_REPORTS, true);
            response.sendFile(file.file.toString(), file.offset, file.count,
                    sent -> ImageResponses.finished(request, sent.failed() ? sent.cause() : null));
        } else if (answer.getEntity() instanceof String text) {
            response.end(text);
        } else {
            response.end();
        }
    }
}
