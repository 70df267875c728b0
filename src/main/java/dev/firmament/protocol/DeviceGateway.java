package dev.firmament.protocol;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import dev.firmament.device.DeviceActivityRecorder;
import dev.firmament.device.DeviceKeyRegistry;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.TargetingSnapshot;
import dev.firmament.targeting.TargetingSnapshots;
import dev.firmament.targeting.UpdateDecider;

/**
 * The check-in path shared by both protocols: resolve the key, decide against the tenant's in-memory snapshot, queue
 * the record. No database round trip happens here.
 */
@ApplicationScoped
class DeviceGateway {

    private final DeviceKeyRegistry keys;
    private final TargetingSnapshots snapshots;
    private final DeviceActivityRecorder recorder;
    private final MeterRegistry meters;
    private final RolloutDownloadSlots slots;
    private final java.time.InstantSource clock;
    private final java.util.Map<DeviceReport.Client, java.util.Map<Decision.Outcome, io.micrometer.core.instrument.Counter>> checkIns = new java.util.EnumMap<>(
            DeviceReport.Client.class);

    DeviceGateway(DeviceKeyRegistry keys, TargetingSnapshots snapshots, DeviceActivityRecorder recorder,
            MeterRegistry meters, RolloutDownloadSlots slots, java.time.InstantSource clock) {
        this.slots = slots;
        this.clock = clock;
        // Registered once: the lookup by tags showed up in the check-in profile (docs/benchmarks.md).
        for (DeviceReport.Client client : DeviceReport.Client.values()) {
            java.util.EnumMap<Decision.Outcome, io.micrometer.core.instrument.Counter> byOutcome = new java.util.EnumMap<>(
                    Decision.Outcome.class);
            for (Decision.Outcome outcome : Decision.Outcome.values()) {
                byOutcome.put(outcome, meters.counter("firmament.device.checkins", "client", client.code(), "outcome",
                        outcome.name().toLowerCase(java.util.Locale.ROOT)));
            }
            checkIns.put(client, byOutcome);
        }
        this.keys = keys;
        this.snapshots = snapshots;
        this.recorder = recorder;
        this.meters = meters;
    }

    Optional<DeviceKeyRegistry.Entry> key(String key, String surface) {
        Optional<DeviceKeyRegistry.Entry> entry = keys.find(key);
        if (entry.isEmpty()) {
            meters.counter("firmament.device.unknown.key", "surface", surface).increment();
        }
        return entry;
    }

    TargetingSnapshot snapshot(DeviceKeyRegistry.Entry key) {
        return snapshots.forTenant(key.tenantId());
    }

    /** Decides and records the check-in (a device without a MAC, NoFUSS 0.1, is decided but not recorded). */
    Decision checkIn(DeviceKeyRegistry.Entry key, DeviceReport report) {
        TargetingSnapshot snapshot = snapshot(key);
        Instant now = clock.instant();
        // Also for getAvailableVersion (mode version), so that it announces what update() would get at this moment.
        Decision decision = UpdateDecider.decide(report, snapshot, key.defaultProductId(), now,
                rollout -> slots.full(rollout.id(), rollout.downloadCap()));
        checkIns.get(report.client()).get(decision.outcome()).increment();
        if (report.mac() != null && decision.reason() != Decision.Reason.UNKNOWN_PRODUCT) {
            recorder.record(new DeviceActivityRecorder.CheckIn(key.tenantId(), report, decision.product(),
                    key.defaultGroupId(), decision, now));
        }
        return decision;
    }
}
