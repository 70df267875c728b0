package dev.firmament.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.firmament.device.CheckInOutcomes.Outcomes;
import dev.firmament.device.CheckInOutcomes.Pending;
import dev.firmament.device.CheckInOutcomes.StoredDevice;
import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.device.DeviceActivityRecorder.Download;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.Decision.Reason;
import dev.firmament.targeting.Decision.Source;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.DeviceReport.Client;
import dev.firmament.targeting.DeviceReport.Mode;
import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;

/** What a batch of check-ins means, worked out without a database and with time given, not waited for. */
class CheckInOutcomesTest {

    static final UUID PRODUCT = UUID.randomUUID();
    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(30);
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    static final ReleaseEntry V2 = new ReleaseEntry(7, PRODUCT, "2.0.0",
            new Image("a".repeat(64), "2".repeat(32), 200_000), null);
    static final String MAC = "5C:CF:7F:00:00:01";

    @Test
    void anOfferBecomesPendingAndTheInstallInTheSameBatchCompletesIt() {
        Outcomes outcomes = CheckInOutcomes.of(
                List.of(checkIn("1.0.0", offer(), T0), checkIn("2.0.0", nothing(), T0.plusSeconds(60))), Map.of(),
                INSTALL_TIMEOUT);

        assertThat(outcomes.events()).extracting(DeviceEvent::type).containsExactly(DeviceEventType.OFFERED,
                DeviceEventType.INSTALLED);
        assertThat(outcomes.events().get(1).releaseId()).isEqualTo(7L);
        assertThat(outcomes.pending().get(MAC)).isEqualTo(Pending.NONE);
        assertThat(outcomes.changed()).singleElement()
                .satisfies(c -> assertThat(c.report().version()).isEqualTo("2.0.0"));
        assertThat(outcomes.enrolments()).as("the device is new and its key has a default group").hasSize(1);
    }

    @Test
    void aDeviceStillOnTheOldImageAfterTheInstallTimeoutHasFailed() {
        Pending offered = new Pending(7L, V2.firmware().md5(), "2.0.0", T0);
        Map<String, StoredDevice> stored = Map.of(MAC, stored("1.0.0", offered));

        Outcomes early = CheckInOutcomes.of(List.of(checkIn("1.0.0", nothing(), T0.plus(Duration.ofMinutes(29)))),
                stored, INSTALL_TIMEOUT);
        Outcomes late = CheckInOutcomes.of(List.of(checkIn("1.0.0", nothing(), T0.plus(Duration.ofMinutes(31)))),
                stored, INSTALL_TIMEOUT);

        assertThat(early.events()).isEmpty();
        assertThat(early.pending().get(MAC)).isEqualTo(offered);
        assertThat(late.events()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(DeviceEventType.FAILED);
            assertThat(e.detail()).containsEntry("reason", "still-reports-another-image");
        });
        assertThat(late.pending().get(MAC)).isEqualTo(Pending.NONE);
        assertThat(late.enrolments()).as("known devices are not enrolled again").isEmpty();
    }

    @Test
    void aKnownDeviceReportingNothingNewIsOnlySeenAgain() {
        Map<String, StoredDevice> stored = Map.of(MAC, stored("1.0.0", Pending.NONE));

        Outcomes same = CheckInOutcomes.of(List.of(checkIn("1.0.0", nothing(), T0)), stored, INSTALL_TIMEOUT);
        Outcomes moved = CheckInOutcomes.of(List.of(checkIn("1.0.1", nothing(), T0)), stored, INSTALL_TIMEOUT);

        assertThat(same.seenOnly()).hasSize(1);
        assertThat(same.changed()).isEmpty();
        assertThat(moved.changed()).hasSize(1);
        assertThat(moved.seenOnly()).isEmpty();
    }

    @Test
    void aBrokenOffDownloadIsRecordedAsIncomplete() {
        Outcomes outcomes = CheckInOutcomes.of(
                List.of(new Download("t", MAC, 7, ImageKind.FIRMWARE, 1_000, 200_000, null, T0, true)), Map.of(),
                INSTALL_TIMEOUT);

        assertThat(outcomes.events()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(DeviceEventType.DOWNLOADED);
            assertThat(e.detail()).containsEntry("complete", false).containsEntry("brokenOff", true);
        });
        assertThat(outcomes.changed()).isEmpty();
    }

    private static CheckIn checkIn(String version, Decision decision, Instant at) {
        return new CheckIn("t", new DeviceReport(Client.ESP8266, MAC, Mode.FIRMWARE, null, version, null, 1_000_000L,
                300_000L, 4_194_304L, 1L, "2.2.1", null, "10.0.0.1"), PRODUCT, 42L, decision, at);
    }

    private static StoredDevice stored(String version, Pending pending) {
        return new StoredDevice(PRODUCT, "esp8266", 1L, 4_194_304L, 1_000_000L, 300_000L, null, "2.2.1", version, null,
                "sketch", "10.0.0.1", pending);
    }

    private static Decision offer() {
        return new Decision(Outcome.OFFER, Reason.RULE_MATCHED, V2, ImageKind.FIRMWARE, Source.RULE, 3L);
    }

    private static Decision nothing() {
        return new Decision(Outcome.NONE, Reason.ALREADY_RUNNING, V2, ImageKind.FIRMWARE, Source.RULE, 3L);
    }
}
