package dev.firmament.api;

import java.io.IOException;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;

import dev.firmament.console.ConsoleErrorPage;
import dev.firmament.console.ConsoleResponses;
import dev.firmament.db.DatabaseFailures;
import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.RetryLaterException;
import dev.firmament.errors.ServiceUnavailableException;
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
            Response page = ConsoleErrorPage.response(e.status(), e.getMessage(), headers);
            if (e instanceof RetryLaterException later) {
                return Response.fromResponse(page).header("Retry-After", later.retryAfterSeconds()).build();
            }
            return page;
        }
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e.status(), e.code(), e.getMessage(), path(uri), null, e.errors()));
        if (e instanceof UnauthorizedException) {
            response.header("WWW-Authenticate", "Bearer realm=\"firmament\"");
        }
        if (e instanceof RetryLaterException later) {
            response.header("Retry-After", later.retryAfterSeconds());
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
            if (cause instanceof JsonProcessingException json) {
                return json(json, uri, headers);
            }
        }
        int status = e.getResponse().getStatus();
        if (status == 404 && unparsable(e.getCause())) {
            // JAX-RS answers 404 for a query parameter that does not convert: it is the caller's typo, a 400.
            return firmament(invalidParameter(uri), uri, headers);
        }
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

    /**
     * A JSON body that could not be read: malformed, a key twice, an unknown field, a control character, a value of the
     * wrong type. Each is a 400 that names the field.
     */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, UriInfo uri, HttpHeaders headers) {
        // The same type as quarkus-rest-jackson's own mapper, so that this one, a user mapper, wins.
        return json(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response unmappableJson(JsonMappingException e, UriInfo uri, HttpHeaders headers) {
        return json(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response unparsableJson(JsonParseException e, UriInfo uri, HttpHeaders headers) {
        return json(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri, HttpHeaders headers) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof FirmamentException firmament) {
                return firmament(firmament, uri, headers);
            }
        }
        String field = e instanceof JsonMappingException mapping ? fieldOf(mapping) : null;
        InvalidInputException problem;
        if (e instanceof UnrecognizedPropertyException unknown) {
            problem = new InvalidInputException("unknown-field", "Unknown field '" + field + "'; this request takes "
                    + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList());
        } else if (e instanceof StrictJson.ControlCharacterException) {
            problem = new InvalidInputException("control-character", "Field '" + field + "' " + e.getOriginalMessage());
        } else if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
            problem = new InvalidInputException("duplicate-key",
                    "The JSON body has a key twice: " + e.getOriginalMessage().substring("Duplicate field ".length()));
        } else if (field != null && !field.isEmpty()) {
            problem = new InvalidInputException("invalid-field", "Field '" + field + "' has a value of the wrong type");
        } else {
            problem = new InvalidInputException("malformed-request",
                    "The request body is not valid JSON (line " + location(e) + ")");
        }
        return firmament(problem, uri, headers);
    }

    /**
     * A request record that breaks its Bean Validation constraints: a 400 naming every field, with one entry per field
     * in {@code errors}. A violated return value would be our bug, a 500.
     */
    @ServerExceptionMapper
    public Response violations(ResteasyReactiveViolationException e, UriInfo uri, HttpHeaders headers) {
        if (e.getConstraintViolations().stream()
                .anyMatch(v -> v.getExecutableReturnValue() != null || v.getExecutableParameters() == null)) {
            return unexpected(e, uri, headers);
        }
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldError(lastNode(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field)).toList();
        String detail = errors.stream().map(error -> "'" + error.field() + "' " + error.message())
                .collect(Collectors.joining("; "));
        return firmament(new InvalidInputException("invalid-field", "Invalid field " + detail) {
            @Override
            public List<?> errors() {
                return errors;
            }
        }, uri, headers);
    }

    /** One field a request got wrong. */
    public record FieldError(String field, String message) {
    }

    private static String lastNode(Path path) {
        String field = null;
        for (Path.Node node : path) {
            field = node.getName();
        }
        return field;
    }

    /** A multipart body cut off before its closing boundary, or otherwise unreadable, is the client's problem. */
    @ServerExceptionMapper
    public Response io(IOException e, UriInfo uri, HttpHeaders headers) {
        if (e.getMessage() != null && e.getMessage().contains("multipart")) {
            return firmament(new InvalidInputException("malformed-multipart",
                    "The multipart body is malformed or ends before its closing boundary: the upload was cut off"), uri,
                    headers);
        }
        return unexpected(e, uri, headers);
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
        // What PostgreSQL refused because of the request (a name two requests raced for, a NUL) is the caller's
        // problem, wherever it surfaces: a flush (PersistenceException) or a failed commit (RollbackException).
        var stored = StoreErrors.of(e);
        if (stored.isPresent()) {
            return firmament(stored.get(), uri, headers);
        }
        if (DatabaseFailures.unreachable(e)) {
            // An outage, not a bug: say so, and when to try again; the log has one line, not a stack trace per call.
            LOG.warnf("Database unavailable for %s: %s", path(uri), e);
            return firmament(new ServiceUnavailableException("database-unavailable",
                    "The database is unavailable for the moment; devices are still served. Try again shortly.", 5), uri,
                    headers);
        }
        if (dev.firmament.release.artifact.StoreFailures.unreachable(e)) {
            LOG.warnf("Artifact store unavailable for %s: %s", path(uri), e);
            return firmament(new ServiceUnavailableException("storage-unavailable",
                    "The image store is unavailable for the moment; nothing was stored. Try again shortly.", 30), uri,
                    headers);
        }
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

    private static boolean unparsable(Throwable cause) {
        for (; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException || cause instanceof DateTimeParseException) {
                return true;
            }
        }
        return false;
    }

    /** Names the query parameters whose values do not read as the number, time or flag they stand for. */
    private static InvalidInputException invalidParameter(UriInfo uri) {
        List<String> suspects = new ArrayList<>();
        uri.getQueryParameters().forEach((name, values) -> {
            for (String value : values) {
                if (!value.isBlank() && !value.matches("-?\\d{1,18}|true|false|\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z")) {
                    suspects.add(name + "=" + Requests.printable(value));
                }
            }
        });
        return new InvalidInputException("invalid-parameter", "Query parameter " + String.join(", ", suspects)
                + " does not parse: numbers are whole numbers, times ISO-8601 instants such as 2026-01-31T12:00:00Z");
    }

    /** The dotted path of the field a mapping failure is about ({@code waves[1].groupId}). */
    private static String fieldOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "?"
                : e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static Response.ResponseBuilder problem(int status, String code, String detail, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, code, detail, path(uri), null));
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
