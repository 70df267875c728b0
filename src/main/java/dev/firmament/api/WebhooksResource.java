package dev.firmament.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.db.PageCursor;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.webhook.WebhookOutbox;
import dev.firmament.webhook.WebhookService;
import dev.firmament.webhook.WebhookSubscription;

/**
 * Webhooks: where the tenant is told about rollouts pausing, devices failing, releases and keys. Owners only: a
 * subscription sends fleet data wherever its URL points.
 */
@Path("/api/v1/tenants/{tenant}/webhooks")
@Tag(name = "Webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhooksResource {

    /** A subscription; on a change, fields left out keep their value. */
    public record WebhookRequest(@Schema(example = "https://hooks.example.com/firmament") String url,
            @Schema(example = "[\"rollout.paused\", \"device.failed\"]") List<String> events,
            @Schema(description = "standard (default) or slack", example = "standard") String format,
            @Schema(description = "true unless said otherwise") Boolean enabled) {
    }

    /** A subscription without its secret. */
    public record WebhookView(long id, String url, List<String> events, String format, boolean enabled,
            Instant createdAt, Instant failingSince, Instant disabledAt, String disabledReason) {
        static WebhookView of(WebhookSubscription s) {
            return new WebhookView(s.id, s.url, List.of(s.events), s.format.code(), s.enabled, s.createdAt,
                    s.failingSince, s.disabledAt, s.disabledReason);
        }
    }

    /** A created subscription with the secret its messages are signed with, shown this once. */
    public record CreatedWebhookView(long id, String url, List<String> events, String format, boolean enabled,
            Instant createdAt, @Schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") String secret) {
    }

    /** A queued message. */
    public record QueuedView(long deliveryId) {
    }

    private final WebhookService webhooks;

    WebhooksResource(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OWNER)
    @Operation(summary = "Subscribe a URL to events; the response holds the signing secret, shown once")
    public CreatedWebhookView create(@PathParam("tenant") String tenant, WebhookRequest request) {
        Requests.require(request);
        var created = webhooks.create(spec(request));
        var s = created.subscription();
        return new CreatedWebhookView(s.id, s.url, List.of(s.events), s.format.code(), s.enabled, s.createdAt,
                created.secret());
    }

    @GET
    @Allowed(Role.OWNER)
    @Operation(summary = "List webhooks (without secrets)")
    public List<WebhookView> list(@PathParam("tenant") String tenant) {
        return webhooks.list().stream().map(WebhookView::of).toList();
    }

    @GET
    @Path("{id}")
    @Allowed(Role.OWNER)
    @Operation(summary = "One webhook, with whether it is failing or why it was disabled")
    public WebhookView get(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return WebhookView.of(webhooks.get(id));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OWNER)
    @Operation(summary = "Change a webhook's URL, events, format or enabled; fields left out keep their value")
    public WebhookView update(@PathParam("tenant") String tenant, @PathParam("id") long id, WebhookRequest request) {
        return WebhookView.of(webhooks.update(id, spec(Requests.require(request))));
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    @Allowed(Role.OWNER)
    @Operation(summary = "Delete a webhook and its delivery log")
    public void delete(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        webhooks.delete(id);
    }

    @POST
    @Path("{id}/test")
    @ResponseStatus(202)
    @Allowed(Role.OWNER)
    @Operation(summary = "Queue a test event for this webhook; its delivery shows in the log")
    public QueuedView test(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return new QueuedView(webhooks.sendTest(id));
    }

    @GET
    @Path("{id}/deliveries")
    @Allowed(Role.OWNER)
    @Operation(summary = "The delivery log, newest first: each message's state and every attempt")
    public Page<WebhookOutbox.Delivery> deliveries(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(webhooks.deliveries(id, after, PageCursor.limit(limit)), uri);
    }

    @POST
    @Path("{id}/deliveries/{delivery}/resend")
    @ResponseStatus(202)
    @Allowed(Role.OWNER)
    @Operation(summary = "Send a delivery again, with the same webhook-id and body")
    public QueuedView resend(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @PathParam("delivery") long delivery) {
        webhooks.resend(id, delivery);
        return new QueuedView(delivery);
    }

    private static WebhookService.Spec spec(WebhookRequest request) {
        return new WebhookService.Spec(request.url(), request.events(), request.format(), request.enabled());
    }
}
