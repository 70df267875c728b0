package dev.firmament.api;

import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.firmament.console.ConsoleErrorPage;
import dev.firmament.console.ConsoleResponses;
import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.TooManyRequestsException;
import dev.firmament.errors.UnauthorizedException;
import dev.firmament.security.ConsoleAuthentication;

/**
 * Every error of the HTTP surfaces as {@code application/problem+json}, mapped in this one place. Messages of our own
 * exceptions are written for callers; anything unexpected is logged with a reference and answered without internals.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response firmament(FirmamentException e, UriInfo uri, HttpHeaders headers) {
        if (ConsoleErrorPage.applies(uri)) {
            return ConsoleErrorPage.response(e.status(), e.getMessage(), headers);
        }
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e.status(), e.code(), e.getMessage(), path(uri), null, e.errors()));
        if (e instanceof UnauthorizedException) {
            response.header("WWW-Authenticate", "Bearer realm=\"firmament\"");
        }
        if (e instanceof TooManyRequestsException throttled) {
            response.header("Retry-After", throttled.retryAfterSeconds());
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        // A domain rule broken while the body was being read (a record's constructor) is that rule's problem.
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof FirmamentException firmament) {
                return firmament(firmament, uri, headers);
            }
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri, headers);
        }
        String code = switch (status) {
        case 400 -> "malformed-request";
        case 404 -> "not-found";
        case 405 -> "method-not-allowed";
        case 406 -> "not-acceptable";
        case 413 -> "payload-too-large";
        case 415 -> "unsupported-media-type";
        default -> "request-failed";
        };
        String detail = switch (status) {
        case 400 -> "The request body could not be read: check its syntax and content type";
        case 404 -> "Nothing exists at this path";
        case 405 -> "This path does not support that method";
        case 415 -> "This content type is not accepted here";
        default -> e.getResponse().getStatusInfo().getReasonPhrase();
        };
        if (ConsoleErrorPage.applies(uri)) {
            return ConsoleErrorPage.response(status, detail, headers);
        }
        return problem(status, code, detail, uri).build();
    }

    @ServerExceptionMapper
    public Response signInRequired(ConsoleAuthentication.SignInRequired e, UriInfo uri, HttpHeaders headers,
            jakarta.ws.rs.core.Request request) {
        return ConsoleErrorPage.signIn(uri, headers, request.getMethod());
    }

    @ServerExceptionMapper
    public Response passwordChangeRequired(ConsoleAuthentication.PasswordChangeRequired e, HttpHeaders headers) {
        return ConsoleResponses.redirect(headers, "/console/account", e.getMessage());
    }

    @ServerExceptionMapper
    public Response authenticationFailed(io.quarkus.security.AuthenticationFailedException e, UriInfo uri,
            HttpHeaders headers) {
        return firmament(new UnauthorizedException("The token is not valid"), uri, headers);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri, HttpHeaders headers) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error, reference %s", reference);
        if (ConsoleErrorPage.applies(uri)) {
            return ConsoleErrorPage.response(500, "Something went wrong on our side; quote reference " + reference,
                    headers);
        }
        return Response.status(500).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(500, "internal-error",
                        "Something went wrong on our side; quote reference " + reference, path(uri), reference))
                .build();
    }

    private static Response.ResponseBuilder problem(int status, String code, String detail, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, code, detail, path(uri), null));
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
