package dev.firmament.device;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.HealthGroup;

/**
 * Whether device activity reaches the database as it happens, for operators and dashboards
 * ({@code /q/health/group/activity}): DOWN while activity waits in the local journal (the database is away or falling
 * behind, or the write queue overflowed). The details count what overflowed and what was lost since start. Not part of
 * readiness: devices are served from memory meanwhile, and nothing they report is lost.
 */
@HealthGroup("activity")
@ApplicationScoped
class DeviceActivityHealthCheck implements HealthCheck {

    private final DeviceActivityRecorder recorder;

    DeviceActivityHealthCheck(DeviceActivityRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public HealthCheckResponse call() {
        long journal = recorder.journalBytes();
        return HealthCheckResponse.named("device-activity").status(journal == 0).withData("journalBytes", journal)
                .withData("unwritten", recorder.unwritten()).withData("spilledSinceStart", recorder.spilled())
                .withData("droppedSinceStart", recorder.dropped()).build();
    }
}
