package dev.firmament.targeting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.PinEntry;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;
import dev.firmament.targeting.TargetingSnapshot.RolloutEntry;
import dev.firmament.targeting.TargetingSnapshot.RolloutPhase;
import dev.firmament.targeting.TargetingSnapshot.RuleEntry;
import dev.firmament.targeting.TargetingSnapshot.WaveEntry;

/**
 * Where rollouts sit in the decision: pin > rollout > rules, waves, windows, quarantine, precedence between rollouts.
 */
class RolloutDecisionTest {

    static final UUID PRODUCT = UUID.randomUUID();
    static final String CANARY = "DE:BA:7A:00:00:01";
    static final String OTHER = "DE:BA:7A:00:00:02";
    static final Instant NOW = Instant.parse("2026-11-18T03:00:00Z"); // a Wednesday

    final ReleaseEntry v1 = release(1, "1.0.0");
    final ReleaseEntry v2 = release(2, "2.0.0");
    final ReleaseEntry v3 = release(3, "3.0.0");
    final Map<Long, ReleaseEntry> releases = Map.of(1L, v1, 2L, v2, 3L, v3);
    final Map<String, PinEntry> pins = new HashMap<>();
    final Map<String, Set<Long>> groups = new HashMap<>(Map.of(CANARY, Set.of(7L)));
    final List<RuleEntry> rules = new ArrayList<>();
    final List<RolloutEntry> rollouts = new ArrayList<>();

    @Test
    void anOpenWaveGetsTheReleaseAndALaterWaveWaits() {
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 1, canaryThenEveryone(), null));

        Decision canary = decide(CANARY, "1.0.0");
        Decision other = decide(OTHER, "1.0.0");

        assertThat(canary.outcome()).isEqualTo(Outcome.OFFER);
        assertThat(canary.source()).isEqualTo(Source.ROLLOUT);
        assertThat(canary.rolloutId()).isEqualTo(100);
        assertThat(canary.wave()).isZero();
        assertThat(other.outcome()).isEqualTo(Outcome.NONE);
        assertThat(other.reason()).isEqualTo(Reason.ROLLOUT_WAITING);
        assertThat(other.wave()).as("still counted as a member of wave 2").isEqualTo(1);
    }

    @Test
    void aReachedDownloadCapTurnsTheOfferIntoWaitingAndKeepsTheMembershipAndProduct() {
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 1, canaryThenEveryone(), null));
        List<Long> asked = new ArrayList<>();

        Decision capped = UpdateDecider.decide(report(CANARY, "1.0.0"), snapshot(), PRODUCT, NOW, rollout -> {
            asked.add(rollout.id());
            return true;
        });
        Decision free = UpdateDecider.decide(report(CANARY, "1.0.0"), snapshot(), PRODUCT, NOW, rollout -> false);
        Decision waiting = UpdateDecider.decide(report(OTHER, "1.0.0"), snapshot(), PRODUCT, NOW, rollout -> {
            throw new AssertionError("the cap is asked only when the rollout would send its image");
        });

        assertThat(capped.outcome()).isEqualTo(Outcome.NONE);
        assertThat(capped.reason()).isEqualTo(Reason.DOWNLOAD_CAP_REACHED);
        assertThat(capped.rolloutId()).isEqualTo(100);
        assertThat(capped.wave()).isZero();
        assertThat(capped.product()).isEqualTo(PRODUCT);
        assertThat(asked).containsExactly(100L);
        assertThat(free.outcome()).isEqualTo(Outcome.OFFER);
        assertThat(free.product()).isEqualTo(PRODUCT);
        assertThat(waiting.reason()).isEqualTo(Reason.ROLLOUT_WAITING);
    }

    @Test
    void aRuleCannotHandOutTheReleaseTheRolloutHoldsBackButOthersStill() {
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 1, canaryThenEveryone(), null));
        rules.add(rule(1, v2));

        assertThat(decide(OTHER, "1.0.0").reason()).isEqualTo(Reason.ROLLOUT_WAITING);

        rules.set(0, rule(1, v3));
        Decision byRule = decide(OTHER, "1.0.0");
        assertThat(byRule.source()).isEqualTo(Source.RULE);
        assertThat(byRule.release()).isEqualTo(v3);
    }

    @Test
    void pinComesFirstThenRolloutThenRules() {
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 2, canaryThenEveryone(), null));
        rules.add(rule(1, v3));
        pins.put(CANARY, new PinEntry(CANARY, 3, false));

        assertThat(decide(CANARY, "1.0.0").source()).isEqualTo(Source.PIN);
        assertThat(decide(OTHER, "1.0.0").source()).isEqualTo(Source.ROLLOUT);
    }

    @Test
    void pausedRolloutsHoldAndCompletedOnesStillServeLateDevices() {
        rollouts.add(rollout(100, v2, RolloutPhase.PAUSED, 2, canaryThenEveryone(), null));
        assertThat(decide(CANARY, "1.0.0").reason()).isEqualTo(Reason.ROLLOUT_WAITING);

        rollouts.set(0, rollout(100, v2, RolloutPhase.COMPLETED, 2, canaryThenEveryone(), null));
        assertThat(decide(OTHER, "1.0.0").outcome()).isEqualTo(Outcome.OFFER);
    }

    @Test
    void devicesThatRunTheReleaseOrNewerAreNotInTheRollout() {
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 2, canaryThenEveryone(), null));
        rules.add(rule(1, v3));

        Decision upToDate = decide(OTHER, "2.0.0");
        assertThat(upToDate.rolloutId()).isNull();
        assertThat(upToDate.release()).as("left to the rules, which go further").isEqualTo(v3);
        assertThat(decide(OTHER, "3.0.0").rolloutId()).as("a rollout never downgrades").isNull();
    }

    @Test
    void quarantinedDevicesAndTheDeliveryWindowStopOffers() {
        DeliveryWindow nights = new DeliveryWindow(Set.of(DayOfWeek.WEDNESDAY), LocalTime.of(2, 0), LocalTime.of(4, 0),
                ZoneId.of("UTC"));
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 2, canaryThenEveryone(), nights, Set.of(CANARY)));

        assertThat(decide(CANARY, "1.0.0").reason()).isEqualTo(Reason.ROLLOUT_WAITING);
        assertThat(decide(OTHER, "1.0.0").outcome()).isEqualTo(Outcome.OFFER);
        assertThat(UpdateDecider.decide(report(OTHER, "1.0.0"), snapshot(), PRODUCT, NOW.plusSeconds(3600)).reason())
                .as("outside the window").isEqualTo(Reason.ROLLOUT_WAITING);
    }

    @Test
    void theHigherPriorityRolloutDecidesAndADeviceIsInOnlyOne() {
        rollouts.add(rollout(100, v2, RolloutPhase.RUNNING, 1, List.of(new WaveEntry(Set.of(), 10_000)), null));
        rollouts.add(
                rollout(200, v3, RolloutPhase.RUNNING, 1, List.of(new WaveEntry(Set.of(), 10_000)), null, Set.of(), 5));

        Decision decision = decide(OTHER, "1.0.0");
        assertThat(decision.rolloutId()).isEqualTo(200);
        assertThat(decision.release()).isEqualTo(v3);
    }

    @Test
    void eligibilityNarrowsByVersionAndGroup() {
        RolloutEntry onlyOld = new RolloutEntry(100, PRODUCT, 2, RolloutPhase.RUNNING, 0, NOW,
                List.of(new VersionCondition("<", "1.5")), Set.of(7L), List.of(new WaveEntry(Set.of(), 10_000)), 1,
                null, Set.of(), null, false);
        rollouts.add(onlyOld);

        assertThat(decide(CANARY, "1.0.0").outcome()).isEqualTo(Outcome.OFFER);
        assertThat(decide(CANARY, "1.6.0").rolloutId()).as("version outside the range").isNull();
        assertThat(decide(OTHER, "1.0.0").rolloutId()).as("not in the eligible group").isNull();
    }

    @Test
    void windowsThatCrossMidnightBelongToTheDayTheyStart() {
        DeliveryWindow window = new DeliveryWindow(Set.of(DayOfWeek.TUESDAY), LocalTime.of(22, 0), LocalTime.of(4, 0),
                ZoneId.of("Europe/Berlin"));

        assertThat(window.contains(Instant.parse("2026-11-17T21:30:00Z"))).isTrue(); // Tue 22:30 in Berlin
        assertThat(window.contains(Instant.parse("2026-11-18T02:30:00Z"))).isTrue(); // Wed 03:30, from Tuesday
        assertThat(window.contains(Instant.parse("2026-11-18T21:30:00Z"))).isFalse(); // Wed 22:30
        assertThat(window.contains(Instant.parse("2026-11-17T12:00:00Z"))).isFalse();
    }

    @Test
    void percentSelectionIsStableCloseToTheShareAndDifferentPerRollout() {
        List<String> macs = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            macs.add(String.format("5C:CF:7F:%02X:%02X:%02X", i >> 16, (i >> 8) & 0xFF, i & 0xFF));
        }
        RolloutEntry quarter = rollout(41, v2, RolloutPhase.RUNNING, 1,
                List.of(new WaveEntry(Set.of(), 2_500), new WaveEntry(Set.of(), 10_000)), null);
        RolloutEntry another = rollout(42, v2, RolloutPhase.RUNNING, 1,
                List.of(new WaveEntry(Set.of(), 2_500), new WaveEntry(Set.of(), 10_000)), null);

        Set<String> first = firstWave(quarter, macs);
        Set<String> again = firstWave(quarter, macs);
        Set<String> ofAnother = firstWave(another, macs);

        assertThat(again).isEqualTo(first);
        assertThat(first.size() / 1000.0).as("percent of 100,000 devices").isBetween(24.5, 25.5);
        Set<String> overlap = new HashSet<>(first);
        overlap.retainAll(ofAnother);
        assertThat(overlap.size() / 1000.0).as("another rollout picks its own quarter: about 25 % of 25 %")
                .isBetween(5.5, 7.0);
        for (int percent : new int[] { 1, 10, 50, 90 }) {
            long selected = macs.stream().filter(mac -> RolloutSelection.bucket(41, mac) < percent * 100).count();
            assertThat(selected / 1000.0).as(percent + " %").isCloseTo(percent,
                    org.assertj.core.data.Offset.offset(0.6));
        }
    }

    private static Set<String> firstWave(RolloutEntry rollout, List<String> macs) {
        Set<String> selected = new HashSet<>();
        for (String mac : macs) {
            if (RolloutSelection.waveOf(rollout, mac, Set.of()) == 0) {
                selected.add(mac);
            }
        }
        return selected;
    }

    private static List<WaveEntry> canaryThenEveryone() {
        return List.of(new WaveEntry(Set.of(7L), null), new WaveEntry(Set.of(), 10_000));
    }

    private RolloutEntry rollout(long id, ReleaseEntry release, RolloutPhase phase, int openWaves,
            List<WaveEntry> waves, DeliveryWindow window) {
        return rollout(id, release, phase, openWaves, waves, window, Set.of());
    }

    private RolloutEntry rollout(long id, ReleaseEntry release, RolloutPhase phase, int openWaves,
            List<WaveEntry> waves, DeliveryWindow window, Set<String> quarantined) {
        return rollout(id, release, phase, openWaves, waves, window, quarantined, 0);
    }

    private RolloutEntry rollout(long id, ReleaseEntry release, RolloutPhase phase, int openWaves,
            List<WaveEntry> waves, DeliveryWindow window, Set<String> quarantined, int priority) {
        return new RolloutEntry(id, PRODUCT, release.id(), phase, priority, NOW.minusSeconds(id), List.of(), Set.of(),
                waves, openWaves, window, quarantined, null, false);
    }

    private static RuleEntry rule(long id, ReleaseEntry release) {
        return new RuleEntry(id, PRODUCT, Set.of(), Set.of(), List.of(), null, release.id(), false);
    }

    private Decision decide(String mac, String version) {
        return UpdateDecider.decide(report(mac, version), snapshot(), PRODUCT, NOW);
    }

    private TargetingSnapshot snapshot() {
        List<RolloutEntry> ordered = new ArrayList<>(rollouts);
        ordered.sort(RolloutEntry.PRECEDENCE);
        return new TargetingSnapshot("t", Map.of("SONOFF_BASIC", PRODUCT), releases, pins, groups,
                Map.of(PRODUCT, List.copyOf(ordered)), rules, Map.of());
    }

    private static DeviceReport report(String mac, String version) {
        return new DeviceReport(Client.ESP8266, mac, Mode.FIRMWARE, null, version, null, 1_000_000L, 300_000L,
                4_194_304L, 1L, "2.2.1", null, "10.0.0.1");
    }

    private static ReleaseEntry release(long id, String version) {
        return new ReleaseEntry(id, PRODUCT, version,
                new Image("a".repeat(63) + id, String.format("%032x", id), 200_000), null);
    }
}
