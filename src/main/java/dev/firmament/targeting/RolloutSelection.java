package dev.firmament.targeting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Set;

import dev.firmament.targeting.TargetingSnapshot.RolloutEntry;
import dev.firmament.targeting.TargetingSnapshot.WaveEntry;

/**
 * Which devices a rollout reaches and in which wave. Percentages use a bucket from 0 to 9999 hashed from the rollout id
 * and the MAC: stable (a device never changes wave), independent between rollouts (the same devices are not always the
 * canaries), and known for a device the first time it checks in.
 */
public final class RolloutSelection {

    private RolloutSelection() {
    }

    /** The device's bucket in this rollout, 0 to 9999. */
    public static int bucket(long rolloutId, String mac) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest((rolloutId + "/" + mac).getBytes(StandardCharsets.US_ASCII));
            long value = ((digest[0] & 0xFFL) << 24) | ((digest[1] & 0xFFL) << 16) | ((digest[2] & 0xFFL) << 8)
                    | (digest[3] & 0xFFL);
            return (int) (value % 10_000);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The index of the first wave that selects the device, or -1 when no wave does. */
    public static int waveOf(RolloutEntry rollout, String mac, Set<Long> groups) {
        int bucket = -1;
        for (int i = 0; i < rollout.waves().size(); i++) {
            WaveEntry wave = rollout.waves().get(i);
            if (!wave.groupIds().isEmpty() && Collections.disjoint(wave.groupIds(), groups)) {
                continue;
            }
            if (wave.percentBasisPoints() != null) {
                if (bucket < 0) {
                    bucket = bucket(rollout.id(), mac);
                }
                if (bucket >= wave.percentBasisPoints()) {
                    continue;
                }
            }
            return i;
        }
        return -1;
    }

    /** The rollout's own filter: its version conditions and, if it names groups, membership of one. */
    static boolean eligible(RolloutEntry rollout, DeviceReport report, Set<Long> groups) {
        if (!rollout.eligibleGroups().isEmpty() && Collections.disjoint(rollout.eligibleGroups(), groups)) {
            return false;
        }
        if (!rollout.eligibleVersions().isEmpty()) {
            if (report.version() == null) {
                return false;
            }
            for (VersionCondition condition : rollout.eligibleVersions()) {
                if (!condition.matches(report.version())) {
                    return false;
                }
            }
        }
        return true;
    }
}
