package dev.firmament.console;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.security.LocalAccounts;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleLogin;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.WebhookReceiver;
import dev.firmament.webhook.WebhookDispatcher;

/**
 * The webhooks page: an owner subscribes a receiver and sees the secret once, a refused address is said next to what
 * was typed, a test event shows in the delivery log with the receiver's answer, and a subscription is disabled, enabled
 * and deleted. Another tenant's owner reaches none of it.
 */
@QuarkusTest
class WebhooksConsoleTest {

    static final String PASSWORD = "a webhook password 1";

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    LocalAccounts accounts;

    @Inject
    WebhookDispatcher dispatcher;

    WebhookReceiver receiver;
    Fleet.Tenant tenant;
    String base;

    @BeforeEach
    void setUp() throws Exception {
        receiver = new WebhookReceiver();
        tenant = fleet.tenant("SONOFF_BASIC");
        base = "/console/" + fleet.slugOf(tenant.id) + "/webhooks";
        while (dispatcher.dispatchDue() > 0) {
            // what other tests left due is not this test's business
        }
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    ConsoleLogin owner(Fleet.Tenant of) {
        String email = "owner-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        of.as(() -> members.add(email, Role.OWNER));
        accounts.setPassword(email, PASSWORD);
        return ConsoleLogin.signIn(email, PASSWORD, "/console/" + fleet.slugOf(of.id));
    }

    @Test
    void anOwnerSubscribesSeesTheSecretOnceAndATestEventInTheLog() throws Exception {
        ConsoleLogin owner = owner(tenant);
        assertThat(owner.get("/console/" + fleet.slugOf(tenant.id) + "/settings").asString())
                .contains("data-testid=\"webhooks-link\"");

        Response refused = owner.post(base, "url", "http://10.1.2.3/hook", "events", "rollout.paused", "events",
                "device.failed", "format", "slack");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("data-testid=\"webhook-error\"").contains("10.1.2.3")
                .contains("value=\"http://10.1.2.3/hook\"").contains("value=\"rollout.paused\" checked")
                .contains("value=\"device.failed\" checked").contains("<option value=\"slack\" selected>")
                .doesNotContain("value=\"release.created\" checked");

        Response created = owner.post(base, "url", receiver.url("/hook"), "events", "rollout.paused", "format",
                "standard");
        assertThat(created.statusCode()).isEqualTo(200);
        String secret = created.asString().replaceAll("(?s).*data-testid=\"webhook-secret\">([^<]+)<.*", "$1");
        assertThat(secret).startsWith("whsec_");
        assertThat(owner.get(base).asString()).contains(receiver.url("/hook")).doesNotContain(secret);
        String page = owner.get(base).asString();
        String id = page.replaceAll("(?s).*" + base + "/(\\d+).*", "$1");

        assertThat(owner.post(base + "/" + id + "/test").statusCode()).isEqualTo(303);
        assertThat(owner.get(base + "/" + id).asString()).contains("not tried yet");
        dispatcher.dispatchDue();
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().get(0).body()).contains("\"type\":\"test\"");
        String log = owner.get(base + "/" + id).asString();
        assertThat(log).contains("data-testid=\"deliveries\"").contains("delivered").contains("HTTP 204")
                .contains(receiver.received().get(0).header("webhook-id")).doesNotContain(secret);

        assertThat(owner.post(base + "/" + id + "/disable").statusCode()).isEqualTo(303);
        assertThat(owner.get(base + "/" + id).asString()).contains("disabled").contains("data-testid=\"enable\"");
        assertThat(owner.post(base + "/" + id + "/enable").statusCode()).isEqualTo(303);
        assertThat(owner.get(base + "/" + id).asString()).contains("badge active");

        Response badChange = owner.post(base + "/" + id, "url", receiver.url("/hook"), "format", "standard");
        assertThat(badChange.statusCode()).isEqualTo(400);
        assertThat(badChange.asString()).contains("data-testid=\"webhook-error\"").contains("Name the events");

        assertThat(owner.post(base + "/" + id + "/delete").statusCode()).isEqualTo(303);
        assertThat(owner.get(base).asString()).doesNotContain(receiver.url("/hook"));
        assertThat(owner.get(base + "/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void anotherTenantsOwnerReachesNoneOfIt() {
        ConsoleLogin owner = owner(tenant);
        owner.post(base, "url", receiver.url("/hook"), "events", "rollout.paused");
        String id = owner.get(base).asString().replaceAll("(?s).*" + base + "/(\\d+).*", "$1");

        Fleet.Tenant other = fleet.tenant("SONOFF_BASIC");
        ConsoleLogin stranger = owner(other);
        String theirs = "/console/" + fleet.slugOf(other.id) + "/webhooks/" + id;
        assertThat(stranger.get(base + "/" + id).statusCode()).as("a tenant they are not in").isEqualTo(404);
        assertThat(stranger.get(theirs).statusCode()).as("the id through their own tenant").isEqualTo(404);
        assertThat(stranger.post(theirs + "/test").statusCode()).isEqualTo(404);
        assertThat(stranger.post(theirs + "/delete").statusCode()).isEqualTo(404);
        assertThat(stranger.get("/console/" + fleet.slugOf(other.id) + "/webhooks").asString())
                .doesNotContain(receiver.url("/hook"));
        assertThat(owner.get(base).asString()).as("still there").contains(receiver.url("/hook"));
    }
}
