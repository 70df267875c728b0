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
        EspHttpUpdateResource.Decided decided;
        try {
            decided = check.decide(request.pathParam("key"), product, request.request().headers()::get, request);
        } catch (BadDeviceRequestException e) {
            write(request, EspHttpUpdateResource.plain(400, e.getMessage()));
            return;
        }
        if (decided.answer() != null) {
            write(request, decided.answer());
            return;
        }
        request.vertx().executeBlocking(() -> check.image(decided, request), false).onComplete(sent -> {
            if (sent.succeeded()) {
                write(request, sent.result());
            } else {
                request.fail(sent.cause());
            }
        });
    }

    /** Sends a JAX-RS response as built for the resource: status, headers, and a text or file body. */
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
