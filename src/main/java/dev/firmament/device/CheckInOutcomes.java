package dev.firmament.device;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.device.DeviceActivityRecorder.Download;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.VersionComparator;

/**
 * What a batch of device activity means, worked out from the records and the devices as stored, without a database:
 * which offer each device now has pending, whether it installed or failed the previous one, the events of its history,
 * and which devices changed (written in full) or were only seen again (only {@code last_seen} is written).
 *
 * <p>
 * Installation is inferred: a device with a pending offer that now reports the offered image's MD5 or version has
 * installed it; one that still reports another image after the install timeout has failed it.
 */
final class CheckInOutcomes {

    private CheckInOutcomes() {
    }

    /** The device's pending offer as stored. */
    record Pending(Long releaseId, String md5, String version, Instant since) {
        static final Pending NONE = new Pending(null, null, null, null);
    }

    /** A device's row as stored: what it last reported and its pending offer. */
    record StoredDevice(UUID productId, String client, Long chipId, Long chipSize, Long freeSpace, Long sketchSize,
            String sketchMd5, String sdkVersion, String version, String build, String mode, String ip,
            Pending pending) {

        /**
         * Whether writing {@code checkIn} would leave every column but {@code last_seen} as it is. Mirrors the device
         * store's upsert: reported values that are absent keep the stored ones.
         */
        boolean unchangedBy(CheckIn checkIn, Pending next) {
            DeviceReport r = checkIn.report();
            return kept(checkIn.productId(), productId) && r.client().code().equals(client) && kept(r.chipId(), chipId)
                    && kept(r.chipSize(), chipSize) && kept(r.freeSpace(), freeSpace)
                    && kept(r.sketchSize(), sketchSize) && kept(r.sketchMd5(), sketchMd5)
                    && kept(r.sdkVersion(), sdkVersion) && kept(r.version(), version) && kept(r.build(), build)
                    && r.mode().code().equals(mode) && Objects.equals(r.ip(), ip) && next.equals(pending);
        }

        private static boolean kept(Object reported, Object stored) {
            return reported == null || reported.equals(stored);
        }
    }

    /**
     * @param pending
     *            each checked-in device's pending offer after the batch
     * @param changed
     *            the latest check-in of each device that is new or whose row changes
     * @param seenOnly
     *            the latest check-in of each device whose check-in changes nothing but when it was last seen
     * @param enrolments
     *            new devices that join their device key's default group
     */
    record Outcomes(List<DeviceEvent> events, Map<String, Pending> pending, List<CheckIn> changed,
            List<CheckIn> seenOnly, List<CheckIn> enrolments) {
    }

    /** The outcomes of {@code records} (in the order devices reported them) against the devices as stored. */
    static Outcomes of(List<Object> records, Map<String, StoredDevice> stored, Duration installTimeout) {
        Map<String, CheckIn> latest = new LinkedHashMap<>();
        List<DeviceEvent> events = new ArrayList<>();
        Map<String, Pending> next = new HashMap<>();
        for (Object record : records) {
            if (record instanceof CheckIn checkIn) {
                // What this check-in says about the previous offer comes before what it offers anew. Each check-in in
                // turn: an offer and the install that follows can share a batch.
                String mac = checkIn.report().mac();
                latest.put(mac, checkIn);
                StoredDevice device = stored.get(mac);
                next.put(mac,
                        nextPending(checkIn,
                                next.containsKey(mac) ? next.get(mac) : device == null ? null : device.pending(),
                                installTimeout, events));
                decisionEvent(checkIn, events);
            } else {
                events.add(downloadEvent((Download) record));
            }
        }
        List<CheckIn> seenOnly = new ArrayList<>();
        List<CheckIn> changed = new ArrayList<>();
        List<CheckIn> enrolments = new ArrayList<>();
        for (CheckIn checkIn : latest.values()) {
            StoredDevice device = stored.get(checkIn.report().mac());
            if (device != null && device.unchangedBy(checkIn, next.get(checkIn.report().mac()))) {
                seenOnly.add(checkIn); // the common case: a device checking in with nothing new
                continue;
            }
            changed.add(checkIn);
            if (device == null && checkIn.defaultGroupId() != null) {
                enrolments.add(checkIn);
            }
        }
        return new Outcomes(events, next, changed, seenOnly, enrolments);
    }

    private static DeviceEvent downloadEvent(Download d) {
        return new DeviceEvent(d.mac(), DeviceEventType.DOWNLOADED, d.releaseId(), d.at(),
                Map.of("kind", d.kind().name().toLowerCase(Locale.ROOT), "bytes", d.bytes(), "size", d.size(), "range",
                        d.range() == null ? "" : d.range(), "complete",
                        !d.brokenOff() && (d.bytes() == d.size() || d.range() != null), "brokenOff", d.brokenOff()));
    }

    private static void decisionEvent(CheckIn checkIn, List<DeviceEvent> events) {
        Decision decision = checkIn.decision();
        if (decision.outcome() != Outcome.OFFER && decision.outcome() != Outcome.WITHHELD
                || checkIn.report().mode() == DeviceReport.Mode.VERSION) {
            return; // asking which version is available offers nothing
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", decision.reason().code());
        detail.put("source", decision.source().name().toLowerCase(Locale.ROOT));
        detail.put("kind", decision.kind().name().toLowerCase(Locale.ROOT));
        detail.put("client", checkIn.report().client().code());
        if (decision.ruleId() != null) {
            detail.put("ruleId", decision.ruleId());
        }
        if (decision.rolloutId() != null && decision.source() == Decision.Source.ROLLOUT) {
            detail.put("rolloutId", decision.rolloutId());
            detail.put("wave", decision.wave());
        }
        if (checkIn.report().version() != null) {
            detail.put("fromVersion", checkIn.report().version());
        }
        if (decision.outcome() == Outcome.WITHHELD && decision.image().hardware() != null) {
            detail.put("imageChip", decision.image().hardware().chip());
            detail.put("imageFormat", decision.image().hardware().format());
            if (decision.image().hardware().flashSize() != null) {
                detail.put("imageFlashSize", decision.image().hardware().flashSize());
            }
            if (checkIn.report().chipSize() != null) {
                detail.put("chipSize", checkIn.report().chipSize());
            }
        }
        if (decision.outcome() == Outcome.WITHHELD && checkIn.report().freeSpace() != null) {
            detail.put("freeSpace", checkIn.report().freeSpace());
            detail.put("size", decision.image().size());
        }
        events.add(new DeviceEvent(checkIn.report().mac(),
                decision.outcome() == Outcome.OFFER ? DeviceEventType.OFFERED : DeviceEventType.WITHHELD,
                decision.release().id(), checkIn.at(), detail));
    }

    /**
     * Installed once the device reports the offered firmware; failed when it still runs something else after the
     * install timeout (a later offer starts a new attempt). A new firmware offer becomes the pending one.
     */
    private static Pending nextPending(CheckIn checkIn, Pending stored, Duration installTimeout,
            List<DeviceEvent> events) {
        Pending pending = stored == null ? Pending.NONE : stored;
        DeviceReport report = checkIn.report();
        if (pending.releaseId() != null && runs(report, pending)) {
            events.add(new DeviceEvent(report.mac(), DeviceEventType.INSTALLED, pending.releaseId(), checkIn.at(),
                    Map.of("version", report.version() == null ? "" : report.version(), "since",
                            pending.since() == null ? "" : pending.since().toString())));
            pending = Pending.NONE;
        } else if (pending.releaseId() != null && pending.since() != null
                && pending.since().plus(installTimeout).isBefore(checkIn.at())) {
            events.add(new DeviceEvent(report.mac(), DeviceEventType.FAILED, pending.releaseId(), checkIn.at(),
                    Map.of("reason", "still-reports-another-image", "reportedVersion",
                            report.version() == null ? "" : report.version(), "reportedMd5",
                            report.sketchMd5() == null ? "" : report.sketchMd5(), "since",
                            pending.since().toString())));
            pending = Pending.NONE;
        }
        Decision decision = checkIn.decision();
        if (decision.outcome() == Outcome.OFFER && decision.kind() == ImageKind.FIRMWARE
                && report.mode() != DeviceReport.Mode.VERSION
                && !Long.valueOf(decision.release().id()).equals(pending.releaseId())) {
            pending = new Pending(decision.release().id(), decision.image().md5(), decision.release().version(),
                    checkIn.at());
        }
        return pending;
    }

    private static boolean runs(DeviceReport report, Pending pending) {
        return (report.sketchMd5() != null && report.sketchMd5().equals(pending.md5())) || (report.version() != null
                && pending.version() != null && VersionComparator.compare(report.version(), pending.version()) == 0);
    }
}
