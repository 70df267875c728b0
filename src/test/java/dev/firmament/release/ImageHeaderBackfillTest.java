package dev.firmament.release;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

import dev.firmament.targeting.TargetingSnapshots;
import dev.firmament.testing.Fleet;

/**
 * Firmware stored before Firmament read headers at upload gets its header read after the start, so that an ESP32 image
 * uploaded then is no longer offered to an ESP8266.
 */
@QuarkusTest
class ImageHeaderBackfillTest {

    @Inject
    Fleet fleet;

    @Inject
    ImageHeaderBackfill backfill;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    TargetingSnapshots snapshots;

    @Inject
    dev.firmament.release.artifact.ArtifactStore store;

    @Test
    void anImageStoredWithoutItsHeaderIsReadAndNoLongerOfferedToAChipThatCannotRunIt() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        Release esp32 = tenant.release("2.0.0", Fleet.esp32Image(50_000, 1, 9), null);
        tenant.rule(esp32, null, null);
        Release unreadable = tenant.release("2.0.1", Fleet.espImage(50_000, 2), null);
        forgetHeaders(tenant, esp32.id, unreadable.id);
        // A stand-in that an old version accepted (E9 and a segment count, no chip's entry point), twelve bytes:
        // shorter
        // than a header, so what is read must stay within the object.
        var stub = store.put(tenant.id,
                new java.io.ByteArrayInputStream(new byte[] { (byte) 0xE9, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }), 1_000);
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("update releases set firmware_sha256 = ?, firmware_size = ? where id = ?")) {
            s.setString(1, stub.sha256());
            s.setLong(2, stub.size());
            s.setLong(3, unreadable.id);
            s.executeUpdate();
        }
        snapshots.rebuild(tenant.id.toString());
        esp8266().get("/d/{key}/update", tenant.deviceKey).then().statusCode(200); // the hole: offered as before

        // On a thread of its own, as at start: no request context or transaction of the test's.
        var atStart = new java.util.concurrent.FutureTask<>(backfill::run);
        new Thread(atStart, "image-header-backfill").start();
        assertThat(atStart.get()).as("the readable one").isGreaterThanOrEqualTo(1);

        esp8266().get("/d/{key}/update", tenant.deviceKey).then().statusCode(304);
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("select firmware_format, firmware_chip,"
                + " firmware_format is null from releases where id = ? or id = ? order by id")) {
            s.setLong(1, esp32.id);
            s.setLong(2, unreadable.id);
            try (var rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("esp32-app");
                assertThat(rs.getString(2)).isEqualTo("esp32s3");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(3)).as("no chip runs it: left as it was").isTrue();
            }
        }
        assertThat(backfill.run()).as("nothing left that can be read").isZero();
    }

    private void forgetHeaders(Fleet.Tenant tenant, long... ids) throws Exception {
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("update releases set firmware_format ="
                        + " null, firmware_chip = null, firmware_flash_size = null, firmware_flash_mode = null,"
                        + " firmware_flash_freq = null, firmware_chip_rev_min = null, firmware_chip_rev_max = null,"
                        + " firmware_sha256_appended = null where tenant_id = ? and id = any(?)")) {
            s.setString(1, tenant.id.toString());
            s.setArray(2, c.createArrayOf("bigint", java.util.Arrays.stream(ids).boxed().toArray()));
            s.executeUpdate();
        }
    }

    private static RequestSpecification esp8266() {
        return given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", "5C:CF:7F:00:00:01")
                .header("x-ESP8266-AP-MAC", "5E:CF:7F:00:00:01").header("x-ESP8266-free-space", "1000000")
                .header("x-ESP8266-sketch-size", "300000").header("x-ESP8266-chip-size", "4194304")
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0");
    }
}
