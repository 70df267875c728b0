package dev.firmament.rollout;

import java.time.Instant;
import java.util.List;

/** Where a rollout stands, wave by wave: the numbers people watch and the engine acts on. */
public record RolloutProgress(List<WaveProgress> waves, Counts total) {

    /** Devices of a wave per state. Superseded devices (now in a rollout that decides first) are not counted. */
    public record Counts(long pending, long offered, long downloaded, long installed, long failed, long quarantined,
            long reverted) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0);

        public long devices() {
            return pending + offered + downloaded + installed + failed + quarantined + reverted;
        }

        /** Failed, quarantined and reverted: all count against the failure threshold. */
        public int failures() {
            return (int) (failed + quarantined + reverted);
        }

        Counts plus(Counts other) {
            return new Counts(pending + other.pending, offered + other.offered, downloaded + other.downloaded,
                    installed + other.installed, failed + other.failed, quarantined + other.quarantined,
                    reverted + other.reverted);
        }

        /**
         * The share of devices installed, in percent; 0 for an empty wave, which has installed nothing (the engine
         * pauses at one rather than treating it as done).
         */
        public double installedPercent() {
            return devices() == 0 ? 0 : 100.0 * installed / devices();
        }
    }

    /**
     * One wave: its numbers, whether it is open, and the failures a person accepted by resuming.
     *
     * @param failurePercent
     *            failures after the acknowledged ones, as a share of the wave
     */
    public record WaveProgress(int position, String name, boolean open, Instant openedAt, Instant soakUntil,
            Counts counts, double installedPercent, double failurePercent, int failuresAcknowledged) {
    }

    /** One device's place and progress in a rollout. */
    public record Member(String mac, int wave, String state, int downloads, String failure, Instant offeredAt,
            Instant downloadedAt, Instant finishedAt) {
    }
}
