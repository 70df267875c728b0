package dev.firmament.targeting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.Decision.Reason;
import dev.firmament.targeting.Decision.Source;
import dev.firmament.targeting.DeviceReport.Client;
import dev.firmament.targeting.DeviceReport.Mode;
import dev.firmament.targeting.TargetingSnapshot.DeviceOverride;
import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.PinEntry;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;
import dev.firmament.targeting.TargetingSnapshot.RuleEntry;

class UpdateDeciderTest {

    static final String MAC = "DE:BA:7A:B1:E0:42";
    static final UUID SONOFF = UUID.randomUUID();
    static final UUID OTHER_PRODUCT = UUID.randomUUID();

    final Map<Long, ReleaseEntry> releases = new HashMap<>();
    final Map<String, PinEntry> pins = new HashMap<>();
    final Map<String, Set<Long>> groups = new HashMap<>();
    final List<RuleEntry> rules = new ArrayList<>();
    final Map<java.util.UUID, List<TargetingSnapshot.RolloutEntry>> rollouts = new HashMap<>();
    final Map<String, DeviceOverride> devices = new HashMap<>();

    final ReleaseEntry v110 = release(1, "1.1.0", 300_000);
    final ReleaseEntry v120 = release(2, "1.2.0", 350_000);
    final ReleaseEntry v100 = release(3, "1.0.0", 250_000);

    @Test
    void ruleOffersItsReleaseToAMatchingDevice() {
        rule(10, v120, List.of(), List.of(), false);

        Decision decision = decide(report("1.1.0", "00112233445566778899aabbccddeeff"));

        assertThat(decision.outcome()).isEqualTo(Outcome.OFFER);
        assertThat(decision.release()).isEqualTo(v120);
        assertThat(decision.source()).isEqualTo(Source.RULE);
        assertThat(decision.ruleId()).isEqualTo(10);
        assertThat(decision.image()).isEqualTo(v120.firmware());
    }

    @Test
    void firstMatchingRuleWinsEvenWhenItOffersNothing() {
        rule(10, v110, List.of(), List.of(new VersionCondition(">=", "1.1.0")), false);
        rule(11, v120, List.of(), List.of(), false);

        Decision decision = decide(report("1.1.0", null));

        assertThat(decision.outcome()).isEqualTo(Outcome.NONE);
        assertThat(decision.reason()).isEqualTo(Reason.ALREADY_RUNNING);
        assertThat(decision.ruleId()).isEqualTo(10);
    }

    @Test
    void pinWinsOverRules() {
        rule(10, v120, List.of(), List.of(), false);
        pins.put(MAC, new PinEntry(MAC, v110.id(), false));

        Decision decision = decide(report("1.0.0", null));

        assertThat(decision.source()).isEqualTo(Source.PIN);
        assertThat(decision.release()).isEqualTo(v110);
        assertThat(decision.outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void pinAppliesWhateverProductTheDeviceClaims() {
        pins.put(MAC, new PinEntry(MAC, v110.id(), false));

        Decision decision = UpdateDecider.decide(report("1.0.0", null), snapshot(), null);

        assertThat(decision.outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void sameMd5MeansAlreadyRunningWhateverTheVersionSays() {
        rule(10, v120, List.of(), List.of(), false);

        Decision decision = decide(report("0.0.1-dev", v120.firmware().md5()));

        assertThat(decision.outcome()).isEqualTo(Outcome.NONE);
        assertThat(decision.reason()).isEqualTo(Reason.ALREADY_RUNNING);
    }

    @Test
    void sameVersionMeansAlreadyRunningWhenTheMd5Differs() {
        rule(10, v120, List.of(), List.of(), false);

        assertThat(decide(report("1.2.0", "ffffffffffffffffffffffffffffffff")).reason())
                .isEqualTo(Reason.ALREADY_RUNNING);
        assertThat(decide(report("1.2.0", null)).reason()).isEqualTo(Reason.ALREADY_RUNNING);
    }

    @Test
    void imageLargerThanFreeSpaceIsWithheld() {
        rule(10, v120, List.of(), List.of(), false);

        Decision decision = decide(withFreeSpace(report("1.0.0", null), 349_999L));

        assertThat(decision.outcome()).isEqualTo(Outcome.WITHHELD);
        assertThat(decision.reason()).isEqualTo(Reason.LARGER_THAN_FREE_SPACE);
        assertThat(decide(withFreeSpace(report("1.0.0", null), 350_000L)).outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void downgradeIsWithheldUnlessTheRuleAllowsIt() {
        rule(10, v100, List.of(), List.of(), false);
        assertThat(decide(report("1.1.0", null)).reason()).isEqualTo(Reason.DOWNGRADE_NOT_ALLOWED);

        rules.clear();
        rule(10, v100, List.of(), List.of(), true);
        assertThat(decide(report("1.1.0", null)).outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void downgradeIsWithheldUnlessThePinAllowsIt() {
        pins.put(MAC, new PinEntry(MAC, v100.id(), false));
        assertThat(decide(report("1.1.0", null)).outcome()).isEqualTo(Outcome.WITHHELD);

        pins.put(MAC, new PinEntry(MAC, v100.id(), true));
        assertThat(decide(report("1.1.0", null)).outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void blockedDeviceGetsNothingEvenWithAPin() {
        pins.put(MAC, new PinEntry(MAC, v120.id(), false));
        devices.put(MAC, new DeviceOverride(true, null));

        assertThat(decide(report("1.0.0", null)).outcome()).isEqualTo(Outcome.BLOCKED);
    }

    @Test
    void rulesOfAnotherProductDoNotMatch() {
        rules.add(new RuleEntry(10, OTHER_PRODUCT, Set.of(), Set.of(), List.of(), null, v120.id(), false));

        assertThat(decide(report("1.0.0", null)).reason()).isEqualTo(Reason.NO_MATCHING_RULE);
    }

    @Test
    void unknownProductNameMatchesNothing() {
        rule(10, v120, List.of(), List.of(), false);

        DeviceReport report = new DeviceReport(Client.NOFUSS, MAC, Mode.FIRMWARE, "NOT_A_PRODUCT", "1.0.0", null, null,
                null, null, null, null, null, null);

        assertThat(UpdateDecider.decide(report, snapshot(), SONOFF).reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
    }

    @Test
    void personsProductAssignmentWinsOverTheKeyDefault() {
        rules.add(new RuleEntry(10, OTHER_PRODUCT, Set.of(), Set.of(), List.of(), null, v120.id(), false));
        devices.put(MAC, new DeviceOverride(false, OTHER_PRODUCT));

        assertThat(UpdateDecider.decide(report("1.0.0", null), snapshot(), SONOFF).outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void macFilterAndGroupFilterRestrictTheRule() {
        rules.add(new RuleEntry(10, SONOFF, Set.of("AA:AA:AA:AA:AA:AA"), Set.of(), List.of(), null, v120.id(), false));
        rules.add(new RuleEntry(11, SONOFF, Set.of(), Set.of(7L), List.of(), null, v110.id(), false));
        assertThat(decide(report("1.0.0", null)).reason()).isEqualTo(Reason.NO_MATCHING_RULE);

        groups.put(MAC, Set.of(3L, 7L));
        Decision decision = decide(report("1.0.0", null));
        assertThat(decision.ruleId()).isEqualTo(11);
        assertThat(decision.release()).isEqualTo(v110);
    }

    @Test
    void versionConditionsAllMustHoldAndNeedAReportedVersion() {
        rule(10, v120, List.of(), List.of(new VersionCondition(">=", "1.0.0"), new VersionCondition("<", "1.2.0")),
                false);

        assertThat(decide(report("1.1.5", null)).outcome()).isEqualTo(Outcome.OFFER);
        assertThat(decide(report("0.9", null)).reason()).isEqualTo(Reason.NO_MATCHING_RULE);
        assertThat(decide(report(null, null)).reason()).isEqualTo(Reason.NO_MATCHING_RULE);
        assertThat(decide(report("1.2.0-rc1", null)).outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void buildNotNeedsADifferentNonEmptyBuild() {
        rules.add(new RuleEntry(10, SONOFF, Set.of(), Set.of(), List.of(), "abc1234", v120.id(), false));

        assertThat(decide(withBuild(report("1.0", null), "abc1234")).reason()).isEqualTo(Reason.NO_MATCHING_RULE);
        assertThat(decide(withBuild(report("1.0", null), "")).reason()).isEqualTo(Reason.NO_MATCHING_RULE);
        assertThat(decide(withBuild(report("1.0", null), null)).reason()).isEqualTo(Reason.NO_MATCHING_RULE);
        assertThat(decide(withBuild(report("1.0", null), "def5678")).outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void filesystemModeOffersTheFilesystemImageAndSkipsTheFreeSpaceCheck() {
        rule(10, v120, List.of(), List.of(), false);
        DeviceReport fs = new DeviceReport(Client.ESP8266, MAC, Mode.FILESYSTEM, null, null, null, 10L, null, null,
                null, null, null, null);

        Decision decision = decide(fs);

        assertThat(decision.outcome()).isEqualTo(Outcome.OFFER);
        assertThat(decision.kind()).isEqualTo(ImageKind.FILESYSTEM);
        assertThat(decision.image()).isEqualTo(v120.filesystem());
    }

    @Test
    void releaseWithoutTheAskedImageOffersNothing() {
        ReleaseEntry firmwareOnly = new ReleaseEntry(9, SONOFF, "2.0", v120.firmware(), null);
        releases.put(9L, firmwareOnly);
        rule(10, firmwareOnly, List.of(), List.of(), false);
        DeviceReport fs = new DeviceReport(Client.ESP8266, MAC, Mode.FILESYSTEM, null, "1.0", null, null, null, null,
                null, null, null, null);

        assertThat(decide(fs).reason()).isEqualTo(Reason.NO_IMAGE_OF_THAT_KIND);
    }

    private Decision decide(DeviceReport report) {
        return UpdateDecider.decide(report, snapshot(), SONOFF);
    }

    private TargetingSnapshot snapshot() {
        return new TargetingSnapshot("t", Map.of("SONOFF_BASIC", SONOFF, "OTHER", OTHER_PRODUCT), releases, pins,
                groups, rollouts, rules, devices);
    }

    private void rule(long id, ReleaseEntry release, List<String> macs, List<VersionCondition> conditions,
            boolean allowDowngrade) {
        rules.add(
                new RuleEntry(id, SONOFF, Set.copyOf(macs), Set.of(), conditions, null, release.id(), allowDowngrade));
    }

    private ReleaseEntry release(long id, String version, long size) {
        String md5 = String.format("%032x", id * 1000 + size);
        ReleaseEntry release = new ReleaseEntry(id, SONOFF, version, new Image("a".repeat(63) + id, md5, size),
                new Image("b".repeat(63) + id, String.format("%032x", id), 100_000));
        releases.put(id, release);
        return release;
    }

    private static DeviceReport report(String version, String md5) {
        return new DeviceReport(Client.ESP8266, MAC, Mode.FIRMWARE, null, version, md5, 1_000_000L, 300_000L,
                4_194_304L, 15602487L, "2.2.1", null, "10.0.0.1");
    }

    private static DeviceReport withFreeSpace(DeviceReport r, Long freeSpace) {
        return new DeviceReport(r.client(), r.mac(), r.mode(), r.product(), r.version(), r.sketchMd5(), freeSpace,
                r.sketchSize(), r.chipSize(), r.chipId(), r.sdkVersion(), r.build(), r.ip());
    }

    private static DeviceReport withBuild(DeviceReport r, String build) {
        return new DeviceReport(r.client(), r.mac(), r.mode(), r.product(), r.version(), r.sketchMd5(), r.freeSpace(),
                r.sketchSize(), r.chipSize(), r.chipId(), r.sdkVersion(), build, r.ip());
    }
}
