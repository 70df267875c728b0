package dev.firmament.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.firmament.release.Release;
import dev.firmament.rollout.RolloutEngine;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.MovableClock;
import dev.firmament.testing.Problems;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.WebhookReceiver;

/**
 * Webhooks against real receivers on loopback (allowed for tests by firmament.webhooks.allowed-networks): what a
 * rollout that pauses itself sends, signed; a receiver that is down and comes back; failed devices grouped into one
 * message; a subscription that fails for a day disabled; another tenant told nothing; and addresses refused at creation
 * and at delivery. The dispatcher's tick is off in tests: they run its rounds and move the clock.
 */
@QuarkusTest
class WebhooksTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    RolloutEngine engine;

    @Inject
    WebhookDispatcher dispatcher;

    @Inject
    DeviceFailureNotifications deviceFailures;

    @Inject
    MovableClock clock;

    @Inject
    AgroalDataSource dataSource;

    @TestHTTPResource("/")
    URL base;

    WebhookReceiver receiver;
    Fleet.Tenant tenant;
    String owner;

    @BeforeEach
    void setUp() throws Exception {
        receiver = new WebhookReceiver();
        tenant = fleet.tenant("SONOFF_BASIC");
        owner = tenant.as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
        drain(); // deliveries other tests left due are not this test's business
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    @Test
    void aRolloutThatPausesItselfSendsOneSignedMessageThatVerifiesWithTheSecret() throws Exception {
        JsonPath created = create(Map.of("url", receiver.url("/hooks/firmament"), "events", List.of("rollout.paused")));
        String secret = created.getString("secret");
        assertThat(secret).startsWith("whsec_");
        assertThat(get(created.getLong("id"))).as("the secret is shown once").doesNotContainKey("secret");

        long rollout = startedRolloutReachingNoDevice();
        clock.advance(Duration.ofMinutes(1));
        engine.evaluateAll();
        dispatcher.dispatchDue();

        assertThat(receiver.received()).hasSize(1);
        WebhookReceiver.Received message = receiver.received().get(0);
        assertThat(message.path()).isEqualTo("/hooks/firmament");
        assertThat(message.header("content-type")).isEqualTo("application/json");
        assertThat(verify(secret, message)).as("the Standard Webhooks signature").isTrue();
        assertThat(verify("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]), message))
                .as("another secret does not verify it").isFalse();
        JsonPath body = JsonPath.from(message.body());
        assertThat(body.getString("type")).isEqualTo("rollout.paused");
        assertThat(body.getString("data.tenant")).isEqualTo(fleet.slugOf(tenant.id));
        assertThat(body.getString("data.object.type")).isEqualTo("rollout");
        assertThat(body.getLong("data.object.id")).isEqualTo(rollout);
        assertThat(body.getString("data.object.state")).isEqualTo("paused");
        assertThat(body.getString("data.reason")).contains("reaches no device");
        assertThat(body.getString("data.actor.name")).isEqualTo("Rollout engine");
        assertThat(body.getString("data.url")).endsWith("/console/" + fleet.slugOf(tenant.id) + "/rollouts/" + rollout);
        assertThat(Long.parseLong(message.header("webhook-timestamp"))).isEqualTo(clock.instant().getEpochSecond());

        assertThat(dispatcher.dispatchDue()).as("delivered once: nothing left to send").isZero();
        JsonPath log = deliveries(created.getLong("id"));
        assertThat(log.getString("items[0].state")).isEqualTo("delivered");
        assertThat(log.getString("items[0].messageId")).isEqualTo(message.header("webhook-id"));
        assertThat(log.getInt("items[0].log[0].status")).isEqualTo(204);
    }

    @Test
    void aReceiverThatIsDownGetsTheMessageOnceItIsBackWithTheSameId() throws Exception {
        JsonPath created = create(Map.of("url", receiver.url("/hook"), "events", List.of("release.created")));
        receiver.stop();
        tenant.release("1.0.0", Fleet.espImage(3_000, 1), null);

        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        JsonPath failed = deliveries(created.getLong("id"));
        assertThat(failed.getString("items[0].state")).isEqualTo("pending");
        assertThat(failed.getString("items[0].log[0].error")).startsWith("Could not deliver");
        assertThat(get(created.getLong("id")).get("failingSince")).isNotNull();

        receiver.start();
        assertThat(dispatcher.dispatchDue()).as("not due again before its backoff").isZero();
        clock.advance(Duration.ofSeconds(6));
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);

        assertThat(receiver.received()).hasSize(1);
        JsonPath body = JsonPath.from(receiver.received().get(0).body());
        assertThat(body.getString("type")).isEqualTo("release.created");
        assertThat(body.getString("data.object.version")).isEqualTo("1.0.0");
        JsonPath log = deliveries(created.getLong("id"));
        assertThat(log.getString("items[0].state")).isEqualTo("delivered");
        assertThat(log.getList("items[0].log")).hasSize(2);
        assertThat(log.getString("items[0].messageId")).isEqualTo(receiver.received().get(0).header("webhook-id"));
        assertThat(get(created.getLong("id")).get("failingSince")).as("a success ends the failing streak").isNull();

        // Resend: the same message again, id and body unchanged, so a receiver can drop it as a duplicate.
        given().auth().oauth2(owner).post("/api/v1/tenants/{t}/webhooks/{id}/deliveries/{d}/resend", slug(),
                created.getLong("id"), log.getLong("items[0].id")).then().statusCode(202);
        dispatcher.dispatchDue();
        assertThat(receiver.received()).hasSize(2);
        assertThat(receiver.received().get(1).header("webhook-id"))
                .isEqualTo(receiver.received().get(0).header("webhook-id"));
        assertThat(receiver.received().get(1).body()).isEqualTo(receiver.received().get(0).body());
    }

    @Test
    void aBadWaveSendsOneMessagePerRolloutNotOnePerDevice() throws Exception {
        create(Map.of("url", receiver.url("/hook"), "events", List.of("device.failed", "device.quarantined")));
        byte[] image1 = Fleet.espImage(4_000, 1);
        byte[] image2 = Fleet.espImage(4_500, 2);
        tenant.release("1.0.0", image1, null);
        Release v2 = tenant.release("2.0.0", image2, null);
        try (SimulatedFleet devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"))) {
            devices.add("A0:20:A6", 30, "1.0.0", Fleet.md5(image1), SimulatedFleet.Behaviour.GOES_SILENT);
            devices.checkInAll();
            fleet.flushActivity();
            long rollout = tenant.as(() -> rollouts.create(new dev.firmament.rollout.RolloutService.RolloutSpec(
                    "2.0.0 to all", v2.id, null, List.of(), List.of(),
                    List.of(new dev.firmament.rollout.RolloutService.WaveSpec("everyone", null,
                            java.math.BigDecimal.valueOf(100), null, java.math.BigDecimal.valueOf(100), 0, null)),
                    null, null, false)).rollout().id);
            tenant.as(() -> rollouts.start(rollout, false));
            assertThat(devices.checkInAll()).hasSize(30); // every device downloads 2.0.0 and is never heard of again
            fleet.flushActivity();
            clock.advance(Duration.ofMinutes(16)); // past the install timeout
            engine.evaluateAll();

            deviceFailures.announceAll();
            deviceFailures.announceAll(); // a second round (another replica) finds nothing new
            dispatcher.dispatchDue();

            assertThat(receiver.received()).hasSize(1);
            JsonPath body = JsonPath.from(receiver.received().get(0).body());
            assertThat(body.getString("type")).isEqualTo("device.failed");
            assertThat(body.getLong("data.object.id")).isEqualTo(rollout);
            assertThat(body.getInt("data.devices")).isEqualTo(30);
            assertThat(body.getList("data.macs")).hasSize(30)
                    .allSatisfy(mac -> assertThat((String) mac).startsWith("A0:20:A6"));
            assertThat(body.getInt("data.reasons.silent")).isEqualTo(30);
            assertThat(body.getString("data.summary"))
                    .isEqualTo("30 devices of rollout “2.0.0 to all” failed (silent 30)");
        }
    }

    @Inject
    dev.firmament.rollout.RolloutService rollouts;

    @Test
    void aSubscriptionFailingForADayIsDisabledAndSaysSo() throws Exception {
        JsonPath created = create(Map.of("url", receiver.url("/hook"), "events", List.of("release.created")));
        long id = created.getLong("id");
        receiver.answer(500);
        tenant.release("1.0.0", Fleet.espImage(3_000, 1), null);
        for (int round = 0; round < 40 && Boolean.TRUE.equals(get(id).get("enabled")); round++) {
            dispatcher.dispatchDue();
            clock.advance(Duration.ofHours(1));
        }
        Map<String, Object> disabled = get(id);
        assertThat(disabled.get("enabled")).isEqualTo(false);
        assertThat((String) disabled.get("disabledReason")).contains("every attempt failed since").contains("HTTP 500");
        JsonPath log = deliveries(id);
        assertThat(log.getList("items[0].log.findAll { it.status == 500 }")).as("retried with backoff through the day")
                .hasSizeBetween(8, 30);
        assertThat(log.getString("items[0].state")).isEqualTo("failed");
        assertThat(log.getInt("items[0].log[-1].status")).isEqualTo(500);
        assertThat(log.getString("items[0].log[-1].response")).startsWith("received");
        assertThat(given().auth().oauth2(owner).queryParam("action", "webhook.disable")
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.actorName"))
                        .containsExactly("Webhook delivery");

        // Disabled, it is sent nothing; enabled again, it is sent what comes next.
        tenant.release("1.0.1", Fleet.espImage(3_000, 2), null);
        receiver.answer(204);
        int before = receiver.received().size();
        assertThat(dispatcher.dispatchDue()).isZero();
        given().auth().oauth2(owner).contentType("application/json").body(Map.of("enabled", true))
                .put("/api/v1/tenants/{t}/webhooks/{id}", slug(), id).then().statusCode(200);
        tenant.release("1.0.2", Fleet.espImage(3_000, 3), null);
        dispatcher.dispatchDue();
        assertThat(receiver.received()).hasSize(before + 1);
        assertThat(JsonPath.from(receiver.received().get(before).body()).getString("data.object.version"))
                .isEqualTo("1.0.2");
    }

    @Test
    void anotherTenantIsToldNothingAndCannotSeeTheSubscription() throws Exception {
        JsonPath created = create(Map.of("url", receiver.url("/a"), "events", List.of("release.created")));
        try (WebhookReceiver other = new WebhookReceiver()) {
            Fleet.Tenant b = fleet.tenant("SONOFF_BASIC");
            String ownerOfB = b.as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
            given().auth().oauth2(ownerOfB).contentType("application/json")
                    .body(Map.of("url", other.url("/b"), "events", List.of("release.created")))
                    .post("/api/v1/tenants/{t}/webhooks", fleet.slugOf(b.id)).then().statusCode(201);

            tenant.release("1.0.0", Fleet.espImage(3_000, 1), null);
            dispatcher.dispatchDue();

            assertThat(receiver.received()).hasSize(1);
            assertThat(other.received()).isEmpty();
            for (String path : List.of("/webhooks/{id}", "/webhooks/{id}/deliveries")) {
                Problems.assertProblem(given().auth().oauth2(ownerOfB).get("/api/v1/tenants/{t}" + path,
                        fleet.slugOf(b.id), created.getLong("id")), 404, "not-found");
            }
            Problems.assertProblem(given().auth().oauth2(ownerOfB).post("/api/v1/tenants/{t}/webhooks/{id}/test",
                    fleet.slugOf(b.id), created.getLong("id")), 404, "not-found");
        }
    }

    @Test
    void privateLoopbackAndMetadataAddressesAreRefusedAtCreation() {
        for (String url : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
                "https://[::ffff:10.0.0.1]/hook", "https://192.168.1.10/hook", "http://[fd00:ec2::254]/")) {
            Response refused = post(Map.of("url", url, "events", List.of("rollout.paused")));
            Problems.assertProblem(refused, 400, "webhook-url-refused");
            assertThat(refused.jsonPath().getString("detail")).as(url).contains("firmament.webhooks.allowed-networks");
        }
        for (String url : List.of("ftp://example.com/hook", "https://user:pass@example.com/hook", "not a url",
                "https://no-such-host.invalid/hook")) {
            Problems.assertProblem(post(Map.of("url", url, "events", List.of("rollout.paused"))), 400,
                    "webhook-url-refused");
        }
        Problems.assertProblem(post(Map.of("url", receiver.url("/x"), "events", List.of("rollout.sneezed"))), 400,
                "unknown-event");
        Problems.assertProblem(post(Map.of("url", receiver.url("/x"), "events", List.of())), 400, "missing-events");
        Problems.assertProblem(post(Map.of("url", receiver.url("/x"), "events", List.of("test"))), 400,
                "unknown-event");
        Problems.assertProblem(
                post(Map.of("url", receiver.url("/x"), "events", List.of("rollout.paused"), "format", "xml")), 400,
                "unknown-format");
        Problems.assertProblem(
                post(Map.of("url", receiver.url("/x"), "events", List.of("rollout.paused"), "secret", "mine")), 400,
                "unknown-field");
        assertThat(given().auth().oauth2(owner).get("/api/v1/tenants/{t}/webhooks", slug()).jsonPath().getList(""))
                .as("nothing refused was stored").isEmpty();
    }

    @Test
    void anAddressThatTurnedPrivateIsRefusedAtDelivery() throws Exception {
        JsonPath created = create(Map.of("url", receiver.url("/hook"), "events", List.of("release.created")));
        long id = created.getLong("id");
        // What DNS rebinding amounts to: the URL that was checked now leads to a private address.
        try (var c = dataSource.getConnection();
                var update = c.prepareStatement("update webhook_subscriptions set url = ? where id = ?")) {
            update.setString(1, "http://10.0.0.1/hook");
            update.setLong(2, id);
            update.executeUpdate();
        }
        given().auth().oauth2(owner).post("/api/v1/tenants/{t}/webhooks/{id}/test", slug(), id).then().statusCode(202);
        dispatcher.dispatchDue();
        JsonPath log = deliveries(id);
        assertThat(log.getString("items[0].eventType")).isEqualTo("test");
        assertThat(log.getString("items[0].state")).isEqualTo("pending");
        assertThat(log.getString("items[0].log[0].error"))
                .startsWith("Refused: 10.0.0.1 resolves to 10.0.0.1, a" + " private address");
        assertThat((Object) log.get("items[0].log[0].status")).isNull();
    }

    @Test
    void aSlackSubscriptionGetsTextWithALink() throws Exception {
        JsonPath created = create(Map.of("url", receiver.url("/services/T000/B000/XXXX"), "events",
                List.of("rollout.paused"), "format", "slack"));
        startedRolloutReachingNoDevice();
        clock.advance(Duration.ofMinutes(1));
        engine.evaluateAll();
        dispatcher.dispatchDue();

        assertThat(receiver.received()).hasSize(1);
        String text = JsonPath.from(receiver.received().get(0).body()).getString("text");
        assertThat(text).startsWith("*" + slug() + "*: Rollout “").contains("paused").contains("reaches no device");
        assertThat(verify(created.getString("secret"), receiver.received().get(0))).isTrue();
    }

    @Test
    void theTestEventReachesTheReceiverAndTheLogKeepsTheAnswer() throws Exception {
        receiver.answer(200);
        long id = create(Map.of("url", receiver.url("/hook"), "events", List.of("rollout.paused"))).getLong("id");
        given().auth().oauth2(owner).post("/api/v1/tenants/{t}/webhooks/{id}/test", slug(), id).then().statusCode(202);
        dispatcher.dispatchDue();
        assertThat(JsonPath.from(receiver.received().get(0).body()).getString("type")).isEqualTo("test");
        JsonPath log = deliveries(id);
        assertThat(log.getInt("items[0].log[0].status")).isEqualTo(200);
        assertThat(log.getString("items[0].log[0].response")).isEqualTo("received 1");
        assertThat(log.getInt("items[0].log[0].latencyMs")).isGreaterThanOrEqualTo(0);
    }

    @Test
    void signaturesMatchTheStandardWebhooksReferenceVector() {
        // From the Standard Webhooks specification's reference libraries.
        assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, "{\"test\": 2432232314}")).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** Verifies as a receiver would, from the headers and the raw body. */
    static boolean verify(String secret, WebhookReceiver.Received message) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(
                java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String signed = message.header("webhook-id") + "." + message.header("webhook-timestamp") + "." + message.body();
        String expected = "v1," + java.util.Base64.getEncoder()
                .encodeToString(mac.doFinal(signed.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return java.util.Arrays.asList(message.header("webhook-signature").split(" ")).contains(expected);
    }

    long startedRolloutReachingNoDevice() {
        Release release = tenant.release("2.0.0", Fleet.espImage(3_000, 2), null);
        long id = tenant.as(() -> rollouts
                .create(new dev.firmament.rollout.RolloutService.RolloutSpec("2.0.0 canary", release.id, null,
                        List.of(), List.of(), List.of(new dev.firmament.rollout.RolloutService.WaveSpec("canaries",
                                null, java.math.BigDecimal.TEN, null, null, 0, null)),
                        null, null, false))
                .rollout().id);
        tenant.as(() -> rollouts.start(id, true));
        return id;
    }

    void drain() throws Exception {
        while (dispatcher.dispatchDue() > 0) {
            // each round attempts what is due; failures wait for their backoff
        }
    }

    String slug() {
        return fleet.slugOf(tenant.id);
    }

    Response post(Map<String, Object> body) {
        return given().auth().oauth2(owner).contentType("application/json").body(body)
                .post("/api/v1/tenants/{t}/webhooks", slug());
    }

    JsonPath create(Map<String, Object> body) {
        Response response = post(body);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
        return response.jsonPath();
    }

    Map<String, Object> get(long id) {
        return given().auth().oauth2(owner).get("/api/v1/tenants/{t}/webhooks/{id}", slug(), id).then().statusCode(200)
                .extract().jsonPath().getMap("");
    }

    JsonPath deliveries(long id) {
        return given().auth().oauth2(owner).get("/api/v1/tenants/{t}/webhooks/{id}/deliveries", slug(), id).then()
                .statusCode(200).extract().jsonPath();
    }
}
