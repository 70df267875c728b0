package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.release.Release;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.Problems;

/**
 * The paging convention ({@code after} and {@code limit}, answered by {@code items} and {@code next}) and the exports
 * of device events and devices: a walk returns every row exactly once while devices keep checking in, an export has
 * every matching row and only this tenant's.
 */
@QuarkusTest
class PagingAndExportTest {

    private static final int SEEDED_DOWNLOADS = 50_000;

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    AgroalDataSource dataSource;

    Fleet.Tenant tenant;
    Release release;
    String token;
    String slug;

    @BeforeEach
    void tenantWithARuleForEveryDevice() {
        tenant = fleet.tenant("PAGED");
        release = tenant.release("2.0.0", Fleet.espImage(4_000, 7), null);
        tenant.rule(release, null, "1.9");
        token = tenant.as(() -> tokens.create("reader", Role.VIEWER, null, "test").secret());
        slug = fleet.slugOf(tenant.id);
    }

    @Test
    void pagingThroughFiftyThousandDownloadsReturnsEachOnceWhileDevicesCheckIn() throws Exception {
        Set<Long> seeded = seedDownloads(SEEDED_DOWNLOADS);
        AtomicBoolean walking = new AtomicBoolean(true);
        AtomicInteger checkIns = new AtomicInteger();
        // New downloads of the same release land while the walk goes on.
        Thread fleetCheckingIn = new Thread(() -> {
            while (walking.get()) {
                int n = checkIns.incrementAndGet();
                checkIn(String.format("5C:CF:7F:20:%02X:%02X", n / 256, n % 256), "1.0.0");
                fleet.flushActivity();
            }
        });
        fleetCheckingIn.start();
        List<Long> seen = new ArrayList<>();
        try {
            String next = path("/events?type=downloaded&limit=1000&releaseId=" + release.id);
            while (next != null) {
                JsonPath page = follow(next).extract().jsonPath();
                seen.addAll(page.getList("items.id", Long.class));
                next = page.getString("next");
            }
        } finally {
            walking.set(false);
            fleetCheckingIn.join();
        }
        fleet.flushActivity();

        assertThat(new HashSet<>(seen)).as("no event twice").hasSize(seen.size());
        assertThat(seen).containsAll(seeded);
        assertThat(checkIns.get()).isPositive();
        assertThat(eventCount("downloaded")).isEqualTo(SEEDED_DOWNLOADS + checkIns.get());
    }

    @Test
    void everySortWalksTheFleetOnceAndTheLinkKeepsTheFilters() {
        for (int i = 1; i <= 7; i++) {
            checkIn("5C:CF:7F:10:00:0" + i, i % 2 == 0 ? "1.0.0" : "1.1.0");
        }
        fleet.flushActivity();
        for (String sort : List.of("lastSeen", "mac", "version", "firstSeen")) {
            List<String> macs = new ArrayList<>();
            String next = path("/devices?limit=3&q=10:00&sort=" + sort);
            while (next != null) {
                JsonPath page = follow(next).extract().jsonPath();
                assertThat(page.getLong("total")).isEqualTo(7);
                macs.addAll(page.getList("items.mac"));
                next = page.getString("next");
                if (next != null) {
                    assertThat(next).containsPattern("q=10(:|%3A)00").contains("sort=" + sort).contains("limit=3");
                }
            }
            assertThat(macs).as(sort).hasSize(7).doesNotHaveDuplicates();
        }
        assertThat(api().get(path("/devices?limit=7&sort=mac&q=10:00")).jsonPath().getString("next")).isNull();
    }

    @Test
    void releasesPinsAndGroupMembersArePagedTheSameWay() {
        Release second = tenant.release("2.1.0", Fleet.espImage(4_000, 8), null);
        Release third = tenant.release("2.2.0", Fleet.espImage(4_000, 9), null);
        String[] macs = { "5C:CF:7F:10:05:01", "5C:CF:7F:10:05:02", "5C:CF:7F:10:05:03" };
        long group = tenant.group("paged", macs).id;
        for (String mac : macs) {
            tenant.pin(mac, second, false);
        }

        assertThat(walk("/releases?limit=2", "items.version")).containsExactly("2.2.0", "2.1.0", "2.0.0");
        assertThat(walk("/releases?limit=1&product=PAGED", "items.id")).containsExactly((int) (long) third.id,
                (int) (long) second.id, (int) (long) release.id);
        assertThat(walk("/pins?limit=2", "items.mac")).containsExactly((Object[]) macs);
        assertThat(walk("/groups/" + group + "/members?limit=2", "items")).containsExactly((Object[]) macs);

        // The configuration lists answer the same way, whole on one page unless asked for less.
        tenant.group("alpha");
        tenant.group("zulu");
        assertThat(walk("/groups?limit=1", "items.name")).containsExactly("alpha", "paged", "zulu");
        JsonPath groups = follow(path("/groups")).extract().jsonPath();
        assertThat(groups.getList("items")).hasSize(3);
        assertThat(groups.getString("next")).isNull();
        assertThat(walk("/products?limit=1", "items.name")).containsExactly("PAGED");
        assertThat(walk("/members?limit=1", "items")).hasSize(1);
    }

    @Test
    void aCursorIsRefusedWhenForgedOrTakenToAnotherSort() {
        checkIn("5C:CF:7F:10:01:01", "1.0.0");
        checkIn("5C:CF:7F:10:01:02", "1.0.0");
        fleet.flushActivity();
        String next = api().get(path("/devices?limit=1&sort=mac")).jsonPath().getString("next");
        String cursor = next.substring(next.indexOf("after=") + "after=".length()).replaceAll("&.*", "");

        Problems.assertProblem(api().queryParam("after", cursor).queryParam("sort", "lastSeen").get(path("/devices")),
                400, "invalid-cursor");
        Problems.assertProblem(api().queryParam("after", "not-a-cursor").get(path("/events")), 400, "invalid-cursor");
        Problems.assertProblem(api().queryParam("after", cursor).get(path("/audit")), 400, "invalid-cursor");
        Problems.assertProblem(api().queryParam("limit", 0).get(path("/events")), 400, "invalid-limit");
        Problems.assertProblem(api().queryParam("limit", 1001).get(path("/audit")), 400, "invalid-limit");
        Problems.assertProblem(api().queryParam("type", "pulled").get(path("/events")), 400, "invalid-type");
        Problems.assertProblem(api().queryParam("mac", "5C:CF:7F").get(path("/events/export")), 400, "invalid-mac");
        Problems.assertProblem(api().queryParam("format", "xlsx").get(path("/devices/export")), 400, "unknown-format");
        Problems.assertProblem(api().queryParam("sort", "ip").get(path("/devices/export")), 400, "invalid-sort");
    }

    @Test
    void eventsExportHasEveryMatchingEventWithItsReleaseOldestFirst() throws Exception {
        checkIn("5C:CF:7F:10:02:01", "1.0.0");
        checkIn("5C:CF:7F:10:02:02", "1.0.0");
        checkIn("5C:CF:7F:10:02:02", "2.0.0");
        fleet.flushActivity();

        Response ndjson = api().queryParam("format", "ndjson").queryParam("releaseId", release.id)
                .queryParam("type", "downloaded").get(path("/events/export"));
        ndjson.then().statusCode(200).contentType("application/x-ndjson").header("Content-Disposition",
                "attachment; filename=\"" + slug + "-events.ndjson\"");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : ndjson.asString().split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).extracting(line -> line.get("mac").asText()).containsExactly("5C:CF:7F:10:02:01",
                "5C:CF:7F:10:02:02");
        assertThat(lines.get(0).get("release_id").asLong()).isEqualTo(release.id);
        assertThat(lines.get(0).get("product").asText()).isEqualTo("PAGED");
        assertThat(lines.get(0).get("version").asText()).isEqualTo("2.0.0");
        assertThat(lines.get(0).get("at").asText()).isLessThanOrEqualTo(lines.get(1).get("at").asText());

        String csv = api().queryParam("mac", "5c-cf-7f-10-02-02").get(path("/events/export")).then().statusCode(200)
                .contentType("text/csv").extract().asString();
        String[] rows = csv.split("\r\n");
        assertThat(rows[0]).isEqualTo(String.join(",", dev.firmament.device.DeviceQueries.EVENT_EXPORT_COLUMNS));
        assertThat(rows).hasSize(4); // offered, downloaded, installed
        assertThat(csv).contains("\"offered\"", "\"downloaded\"", "\"installed\"").doesNotContain("10:02:01");
    }

    @Test
    void devicesExportHasTheListsFiltersAndGroups() {
        checkIn("5C:CF:7F:10:03:01", "1.0.0");
        checkIn("5C:CF:7F:10:03:02", "1.0.0", "x-ESP8266-sdk-version", "=HYPERLINK(\"x\")");
        checkIn("5C:CF:7F:10:03:03", "1.0.0");
        fleet.flushActivity();
        tenant.group("canary", "5C:CF:7F:10:03:01", "5C:CF:7F:10:03:02");
        tenant.group("lab", "5C:CF:7F:10:03:01");

        String all = api().queryParam("sort", "mac").get(path("/devices/export")).then().statusCode(200).extract()
                .asString();
        String[] rows = all.split("\r\n");
        assertThat(rows).hasSize(4);
        assertThat(rows[1]).startsWith("\"5C:CF:7F:10:03:01\",\"PAGED\",,").contains("\"1.0.0\"")
                .contains("\"canary; lab\"");
        assertThat(rows[2]).contains("\"'=HYPERLINK(\"\"x\"\")\""); // a formula stays text

        long group = tenant.group("solo", "5C:CF:7F:10:03:03").id;
        String ndjson = api().queryParam("format", "ndjson").queryParam("group", group).get(path("/devices/export"))
                .then().statusCode(200).extract().asString();
        assertThat(ndjson.strip().split("\n")).singleElement().asString().contains("\"mac\":\"5C:CF:7F:10:03:03\"")
                .contains("\"blocked\":false").contains("\"groups\":\"solo\"");
    }

    @Test
    void anotherTenantsExportsAndPagesHoldNoneOfThisTenantsRows() {
        checkIn("5C:CF:7F:10:04:01", "1.0.0");
        fleet.flushActivity();
        Fleet.Tenant other = fleet.tenant("OTHER");
        String otherToken = other.as(() -> tokens.create("reader", Role.VIEWER, null, "test").secret());
        String otherSlug = fleet.slugOf(other.id);

        for (String suffix : List.of("/events/export", "/devices/export", "/events", "/devices")) {
            given().auth().oauth2(otherToken).get(path(suffix)).then().statusCode(404);
            String body = given().auth().oauth2(otherToken).get("/api/v1/tenants/" + otherSlug + suffix).then()
                    .statusCode(200).extract().asString();
            assertThat(body).as(suffix).doesNotContain("10:04:01");
        }
        // A cursor taken from this tenant's list reads nothing of this tenant in the other one.
        checkIn("5C:CF:7F:10:04:02", "1.0.0");
        fleet.flushActivity();
        String next = api().get(path("/devices?limit=1&sort=mac")).jsonPath().getString("next");
        assertThat(given().auth().oauth2(otherToken).get(next.replace(slug, otherSlug)).asString())
                .doesNotContain("10:04:0");
    }

    private Set<Long> seedDownloads(int count) throws Exception {
        Set<Long> ids = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("insert into device_events"
                        + " (tenant_id, at, mac, type, release_id) select ?, now() - (g / 10) * interval '1 ms',"
                        + " '5C:CF:7F:' || regexp_replace(lpad(upper(to_hex(g)), 6, '0'), '(..)(..)(..)', '\\1:\\2:\\3'),"
                        + " 'downloaded', ? from generate_series(1, ?) g returning id")) {
            insert.setString(1, tenant.id.toString());
            insert.setLong(2, release.id);
            insert.setInt(3, count);
            try (var rows = insert.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        assertThat(ids).hasSize(count);
        return ids;
    }

    private long eventCount(String type) throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement count = connection.prepareStatement(
                "select count(*) from device_events where tenant_id = ? and type = ? and release_id = ?")) {
            count.setString(1, tenant.id.toString());
            count.setString(2, type);
            count.setLong(3, release.id);
            try (var rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private void checkIn(String mac, String version, String... headers) {
        RequestSpecification request = given().header("User-Agent", "ESP8266-http-Update")
                .header("x-ESP8266-STA-MAC", mac).header("x-ESP8266-mode", "sketch")
                .header("x-ESP8266-version", version).header("x-ESP8266-free-space", "1000000");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        request.get("/d/{key}/update", tenant.deviceKey).then().statusCode(version.equals("2.0.0") ? 304 : 200);
    }

    /** Every item of a list, page by page: each page but the last is full, and nothing comes twice. */
    private List<Object> walk(String first, String items) {
        List<Object> all = new ArrayList<>();
        String next = path(first);
        while (next != null) {
            JsonPath page = follow(next).extract().jsonPath();
            all.addAll(page.getList(items));
            next = page.getString("next");
        }
        assertThat(all).doesNotHaveDuplicates();
        return all;
    }

    /** A next link is sent as given: it is already encoded. */
    private io.restassured.response.ValidatableResponse follow(String next) {
        return api().urlEncodingEnabled(false).get(next).then().statusCode(200);
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token);
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
