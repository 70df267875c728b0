package dev.firmament.console;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.webhook.WebhookEventType;
import dev.firmament.webhook.WebhookOutbox;
import dev.firmament.webhook.WebhookService;
import dev.firmament.webhook.WebhookSubscription;

/**
 * Webhooks: where the tenant's rollouts, failing devices, releases and keys are announced. Owners only, like the API: a
 * subscription sends fleet data wherever its URL points.
 */
@Path("/console/{tenant}/webhooks")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class WebhooksPage {

    /** What was typed into a subscription form, kept with the reason when it is refused. */
    public record WebhookForm(String url, List<String> events, String format, String error) {

        static final WebhookForm EMPTY = new WebhookForm("", List.of(), "standard", null);

        static WebhookForm of(WebhookSubscription s) {
            return new WebhookForm(s.url, List.of(s.events), s.format.code(), null);
        }

        public boolean wants(String event) {
            return events.contains(event);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance webhooks(List<WebhookSubscription> webhooks, List<WebhookEventType> eventTypes,
                WebhookForm form);

        static native TemplateInstance webhookCreated(WebhookSubscription webhook, String secret);

        static native TemplateInstance webhook(WebhookSubscription webhook, List<WebhookEventType> eventTypes,
                WebhookForm form, PageCursor.Slice<WebhookOutbox.Delivery> deliveries);
    }

    private static final int DELIVERIES_PER_PAGE = 25;

    private final WebhookService webhooks;

    WebhooksPage(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @GET
    @Allowed(Role.OWNER)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        return listPage(WebhookForm.EMPTY);
    }

    @POST
    @Allowed(Role.OWNER)
    public Response create(@PathParam("tenant") String tenant, @RestForm String url, @RestForm List<String> events,
            @RestForm String format) {
        WebhookForm typed = new WebhookForm(url, events == null ? List.of() : events, format, null);
        return ConsoleResponses.refusedInPlace(() -> {
            var created = webhooks.create(new WebhookService.Spec(url, typed.events(), format, true));
            return Response.ok(Templates.webhookCreated(created.subscription(), created.secret())).build();
        }, refused -> listPage(new WebhookForm(typed.url(), typed.events(), typed.format(), refused.getMessage())));
    }

    @GET
    @Path("{id}")
    @Allowed(Role.OWNER)
    public TemplateInstance webhook(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @QueryParam("after") String after) {
        WebhookSubscription subscription = webhooks.get(id(id));
        return detailPage(subscription, WebhookForm.of(subscription), after);
    }

    @POST
    @Path("{id}")
    @Allowed(Role.OWNER)
    public Response update(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String url,
            @RestForm List<String> events, @RestForm String format, @Context HttpHeaders headers) {
        long webhook = id(id);
        WebhookForm typed = new WebhookForm(url, events == null ? List.of() : events, format, null);
        return ConsoleResponses.refusedInPlace(() -> {
            webhooks.update(webhook, new WebhookService.Spec(url, typed.events(), format, null));
            return ConsoleResponses.redirect(headers, path(tenant, webhook), "Webhook saved");
        }, refused -> detailPage(webhooks.get(webhook),
                new WebhookForm(typed.url(), typed.events(), typed.format(), refused.getMessage()), null));
    }

    @POST
    @Path("{id}/enable")
    @Allowed(Role.OWNER)
    public Response enable(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        long webhook = id(id);
        webhooks.update(webhook, new WebhookService.Spec(null, null, null, true));
        return ConsoleResponses.redirect(headers, path(tenant, webhook), "Webhook enabled: new events are sent");
    }

    @POST
    @Path("{id}/disable")
    @Allowed(Role.OWNER)
    public Response disable(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        long webhook = id(id);
        webhooks.update(webhook, new WebhookService.Spec(null, null, null, false));
        return ConsoleResponses.redirect(headers, path(tenant, webhook),
                "Webhook disabled: nothing is sent, and what was waiting is not sent either");
    }

    @POST
    @Path("{id}/delete")
    @Allowed(Role.OWNER)
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        webhooks.delete(id(id));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/webhooks", "Webhook deleted");
    }

    @POST
    @Path("{id}/test")
    @Allowed(Role.OWNER)
    public Response sendTest(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        long webhook = id(id);
        webhooks.sendTest(webhook);
        return ConsoleResponses.redirect(headers, path(tenant, webhook),
                "Test event queued: it appears below once it was tried");
    }

    @POST
    @Path("{id}/deliveries/{delivery}/resend")
    @Allowed(Role.OWNER)
    public Response resend(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @PathParam("delivery") String delivery, @Context HttpHeaders headers) {
        long webhook = id(id);
        webhooks.resend(webhook, id(delivery));
        return ConsoleResponses.redirect(headers, path(tenant, webhook), "Delivery queued again, unchanged");
    }

    private TemplateInstance listPage(WebhookForm form) {
        return Templates.webhooks(webhooks.list(), subscribable(), form);
    }

    private TemplateInstance detailPage(WebhookSubscription subscription, WebhookForm form, String after) {
        return Templates.webhook(subscription, subscribable(), form,
                webhooks.deliveries(subscription.id, after, DELIVERIES_PER_PAGE));
    }

    private static List<WebhookEventType> subscribable() {
        return WebhookService.subscribable().stream().map(code -> WebhookEventType.of(code).orElseThrow()).toList();
    }

    private static String path(String tenant, long webhook) {
        return "/console/" + tenant + "/webhooks/" + webhook;
    }

    private static long id(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("invalid-id", "Not a webhook or delivery id: " + value);
        }
    }
}
