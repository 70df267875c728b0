package dev.firmament.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.release.Release;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;

/**
 * A device that loses its connection in the middle of a download (Wi-Fi gone, power cut) is an ordinary event: it is
 * counted and kept in the device's history as a partial download, and logged without a stack trace at ERROR.
 */
@QuarkusTest
class DroppedDownloadTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    MeterRegistry meters;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aDownloadCutShortIsCountedAndRecordedAsPartialAndNotLoggedAsAnError() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String token = tenant.as(() -> tokens.create("reader", Role.VIEWER, null, "test").secret());
        byte[] big = Fleet.espImage(12 * 1024 * 1024, 7); // more than loopback socket buffers hold
        Release release = tenant.release("3.0.0", big, null);
        tenant.rule(release, null, "2.9");
        double abortedBefore = aborted();
        double brokenOffBefore = downloads("header", "broken-off");
        double completeBefore = downloads("header", "complete");
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        String mac = "5C:CF:7F:00:0D:0D";
        try {
            try (Socket device = new Socket()) {
                device.setReceiveBufferSize(4096);
                device.connect(new InetSocketAddress(base.getHost(), base.getPort()));
                device.getOutputStream()
                        .write(("GET /d/" + tenant.deviceKey + "/update HTTP/1.0\r\nHost: x\r\n"
                                + "User-Agent: ESP8266-http-Update\r\nx-ESP8266-STA-MAC: " + mac + "\r\n"
                                + "x-ESP8266-mode: sketch\r\nx-ESP8266-version: 1.0.0\r\n\r\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = device.getInputStream();
                assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.0 200");
                in.readNBytes(64 * 1024);
                device.setSoLinger(true, 0); // a reset, as when the device's Wi-Fi goes
            }
            List<Map<String, Object>> downloads = List.of();
            for (int attempt = 0; attempt < 100 && downloads.isEmpty(); attempt++) {
                fleet.flushActivity(); // the server notices the reset, then the writer records it
                downloads = given().auth().oauth2(token).queryParam("mac", mac).queryParam("type", "downloaded")
                        .get("/api/v1/tenants/{t}/events", tenant.as(() -> fleet.slugOf(tenant.id))).jsonPath()
                        .getList("items");
                if (downloads.isEmpty()) {
                    Thread.sleep(50);
                }
            }
            assertThat(downloads).singleElement().satisfies(event -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> detail = (Map<String, Object>) event.get("detail");
                assertThat(detail).containsEntry("complete", false).containsEntry("brokenOff", true);
            });
            assertThat(aborted()).isEqualTo(abortedBefore + 1);
            assertThat(downloads("header", "broken-off")).isEqualTo(brokenOffBefore + 1);
            assertThat(downloads("header", "complete")).isEqualTo(completeBefore);
        } finally {
            root.removeHandler(capture);
        }
        assertThat(errors).as("no ERROR for a device that went away").extracting(LogRecord::getMessage).isEmpty();
    }

    @Test
    void aWholeDownloadIsCountedWithItsBytesBySurface() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        byte[] image = Fleet.espImage(40_000, 3);
        Release release = tenant.release("3.1.0", image, null);
        tenant.rule(release, null, "2.9");
        double headerBefore = downloads("header", "complete");
        double headerBytesBefore = bytes("header");
        double linkBefore = downloads("download", "complete");
        double linkBytesBefore = bytes("download");

        given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", "5C:CF:7F:00:0D:0E")
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0")
                .get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        // Counted when the server sees its response end, which may come just after the client read the last byte.
        Eventually.assertThat(Duration.ofSeconds(10), () -> {
            assertThat(downloads("header", "complete")).isEqualTo(headerBefore + 1);
            assertThat(bytes("header")).isEqualTo(headerBytesBefore + image.length);
        });

        // Half of the image through a download link, as a resumed download asks for it.
        given().header("Range", "bytes=20000-").get("/d/{key}/dl/{id}/fw", tenant.deviceKey, release.id).then()
                .statusCode(206);
        Eventually.assertThat(Duration.ofSeconds(10), () -> {
            assertThat(downloads("download", "complete")).isEqualTo(linkBefore + 1);
            assertThat(bytes("download")).isEqualTo(linkBytesBefore + image.length - 20_000);
        });
    }

    private double downloads(String surface, String outcome) {
        var counter = meters.find("firmament.devices.downloads").tag("surface", surface).tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double bytes(String surface) {
        var counter = meters.find("firmament.devices.download.bytes").tag("surface", surface).counter();
        return counter == null ? 0 : counter.count();
    }

    private double aborted() {
        var counter = meters.find("firmament.devices.downloads.aborted").counter();
        return counter == null ? 0 : counter.count();
    }
}
