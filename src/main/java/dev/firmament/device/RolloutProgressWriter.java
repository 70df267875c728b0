package dev.firmament.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.device.DeviceActivityRecorder.Download;
import dev.firmament.device.DeviceActivityRecorder.Event;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;

/**
 * The rollout side of a batch of device activity, written in the batch's transaction: a check-in makes the device a
 * member of its rollout (pending, or offered when the rollout offered it the image); a complete firmware download moves
 * it to downloaded, or to quarantined when it is the {@code loopDownloads}-th without an install; an installed event
 * completes it. Failures are inferred from what devices report: a device that checks in on another image after the
 * install timeout has failed ({@code still-old-image}), and one that installed and later checks in as a member again
 * (it no longer runs the release: its bootloader rolled back, or somebody flashed it) has reverted. Both count against
 * the failure threshold, and a reverted device is offered nothing more by the rollout. Rows of rollouts that ended are
 * left as they were.
 */
final class RolloutProgressWriter {

    private RolloutProgressWriter() {
    }

    private static final String MEMBER = "insert into rollout_devices (tenant_id, rollout_id, mac, wave, state,"
            + " offered_at) values (?, ?, ?, ?, ?, ?) on conflict (tenant_id, rollout_id, mac) do update set"
            + " wave = excluded.wave, state = case when rollout_devices.state in ('pending', 'superseded')"
            + " then excluded.state else rollout_devices.state end, offered_at = coalesce(rollout_devices.offered_at,"
            + " excluded.offered_at) where rollout_devices.wave <> excluded.wave or (rollout_devices.state in"
            + " ('pending', 'superseded') and rollout_devices.state <> excluded.state)";

    /** A failed device that downloads again stays failed (its failure counted once) unless the download loops. */
    private static final String DOWNLOADED = "update rollout_devices rd set downloads = rd.downloads + 1,"
            + " downloaded_at = ?, state = case when rd.downloads + 1 >= ? then 'quarantined' when rd.state = 'failed'"
            + " then 'failed' else 'downloaded' end, failure = case when rd.downloads + 1 >= ? then 'update-loop' when"
            + " rd.state = 'failed' then rd.failure end, finished_at = case when rd.downloads + 1 >= ? then"
            + " cast(? as timestamptz) when rd.state = 'failed' then rd.finished_at end from rollouts r where"
            + " rd.tenant_id = ? and rd.mac = ? and"
            + " r.tenant_id = rd.tenant_id and r.id = rd.rollout_id and r.release_id = ? and r.state in ('running',"
            + " 'paused', 'completed') and rd.state in ('pending', 'offered', 'downloaded', 'failed')"
            + " returning rd.rollout_id, rd.state, rd.downloads";

    private static final String INSTALLED = "update rollout_devices rd set state = 'installed', finished_at = ?,"
            + " failure = null from rollouts r where rd.tenant_id = ? and rd.mac = ? and r.tenant_id = rd.tenant_id"
            + " and r.id = rd.rollout_id and r.release_id = ? and rd.state in ('pending', 'offered', 'downloaded',"
            + " 'failed')";

    /** Devices that check in as members of a rollout they had installed: they no longer run its release. */
    private static final String REVERTED = "update rollout_devices rd set state = 'reverted', failure = 'reverted',"
            + " finished_at = t.at from rollouts r, unnest(cast(? as varchar[]), cast(? as bigint[]),"
            + " cast(? as timestamptz[])) as t(mac, rollout_id, at) where rd.tenant_id = ? and rd.mac = t.mac and"
            + " rd.rollout_id = t.rollout_id and rd.state = 'installed' and r.tenant_id = rd.tenant_id and r.id ="
            + " rd.rollout_id and r.state in ('running', 'paused', 'completed') returning rd.mac, rd.rollout_id,"
            + " r.release_id, t.at";

    private static final String STILL_OLD_IMAGE = "update rollout_devices rd set state = 'failed', failure ="
            + " 'still-old-image', finished_at = ? from rollouts r where rd.tenant_id = ? and rd.mac = ? and"
            + " r.tenant_id = rd.tenant_id and r.id = rd.rollout_id and r.release_id = ? and r.state in ('running',"
            + " 'paused', 'completed') and rd.state = 'downloaded'";

    /**
     * Writes the rollout progress of {@code records} and the rollout side of {@code events}; adds a {@code quarantined}
     * or {@code reverted} event to {@code events} for each device quarantined or reverted. Returns whether any was (the
     * decision snapshots must learn it: the rollout offers them nothing more).
     */
    static boolean write(Connection c, String tenantId, List<Object> records, List<Event> events, int loopDownloads)
            throws SQLException {
        boolean quarantined = reverted(c, tenantId, records, events);
        try (PreparedStatement member = c.prepareStatement(MEMBER);
                PreparedStatement downloaded = c.prepareStatement(DOWNLOADED)) {
            boolean members = false;
            for (Object record : records) {
                if (record instanceof CheckIn checkIn && checkIn.decision().rolloutId() != null) {
                    Decision decision = checkIn.decision();
                    boolean offered = decision.outcome() == Outcome.OFFER
                            && decision.source() == Decision.Source.ROLLOUT
                            && checkIn.report().mode() != DeviceReport.Mode.VERSION;
                    member.setString(1, tenantId);
                    member.setLong(2, decision.rolloutId());
                    member.setString(3, checkIn.report().mac());
                    member.setInt(4, decision.wave());
                    member.setString(5, offered ? "offered" : "pending");
                    member.setTimestamp(6, offered ? Timestamp.from(checkIn.at()) : null);
                    member.addBatch();
                    members = true;
                }
            }
            if (members) {
                member.executeBatch();
            }
            for (Object record : records) {
                if (record instanceof Download d && d.kind() == ImageKind.FIRMWARE && d.whole()) {
                    Timestamp at = Timestamp.from(d.at());
                    downloaded.setTimestamp(1, at);
                    downloaded.setInt(2, loopDownloads);
                    downloaded.setInt(3, loopDownloads);
                    downloaded.setInt(4, loopDownloads);
                    downloaded.setTimestamp(5, at);
                    downloaded.setString(6, tenantId);
                    downloaded.setString(7, d.mac());
                    downloaded.setLong(8, d.releaseId());
                    try (ResultSet rs = downloaded.executeQuery()) {
                        while (rs.next()) {
                            if ("quarantined".equals(rs.getString(2))) {
                                quarantined = true;
                                events.add(new Event(d.mac(), "quarantined", d.releaseId(), d.at(), Map.of("rolloutId",
                                        rs.getLong(1), "reason", "update-loop", "downloads", rs.getInt(3))));
                            }
                        }
                    }
                }
            }
        }
        installed(c, tenantId, events);
        stillOldImage(c, tenantId, events);
        return quarantined;
    }

    private static boolean reverted(Connection c, String tenantId, List<Object> records, List<Event> events)
            throws SQLException {
        List<CheckIn> members = records.stream().filter(r -> r instanceof CheckIn checkIn
                && checkIn.decision().rolloutId() != null && checkIn.report().mac() != null).map(CheckIn.class::cast)
                .toList();
        if (members.isEmpty()) {
            return false;
        }
        boolean any = false;
        try (PreparedStatement reverted = c.prepareStatement(REVERTED)) {
            reverted.setArray(1, c.createArrayOf("varchar", members.stream().map(m -> m.report().mac()).toArray()));
            reverted.setArray(2,
                    c.createArrayOf("bigint", members.stream().map(m -> m.decision().rolloutId()).toArray()));
            reverted.setArray(3,
                    c.createArrayOf("timestamptz", members.stream().map(m -> Timestamp.from(m.at())).toArray()));
            reverted.setString(4, tenantId);
            try (ResultSet rs = reverted.executeQuery()) {
                while (rs.next()) {
                    any = true;
                    events.add(new Event(rs.getString(1), "reverted", rs.getLong(3), rs.getTimestamp(4).toInstant(),
                            Map.of("rolloutId", rs.getLong(2), "reason", "reports-another-image-after-install")));
                }
            }
        }
        return any;
    }

    /** The recorder's verdict for a device that still runs another image after the install timeout. */
    private static void stillOldImage(Connection c, String tenantId, List<Event> events) throws SQLException {
        boolean any = false;
        try (PreparedStatement failed = c.prepareStatement(STILL_OLD_IMAGE)) {
            for (Event event : events) {
                if (event.type().equals("failed") && event.releaseId() != null) {
                    failed.setTimestamp(1, Timestamp.from(event.at()));
                    failed.setString(2, tenantId);
                    failed.setString(3, event.mac());
                    failed.setLong(4, event.releaseId());
                    failed.addBatch();
                    any = true;
                }
            }
            if (any) {
                failed.executeBatch();
            }
        }
    }

    private static void installed(Connection c, String tenantId, List<Event> events) throws SQLException {
        boolean any = false;
        try (PreparedStatement installed = c.prepareStatement(INSTALLED)) {
            for (Event event : events) {
                if (event.type().equals("installed")) {
                    installed.setTimestamp(1, Timestamp.from(event.at()));
                    installed.setString(2, tenantId);
                    installed.setString(3, event.mac());
                    installed.setLong(4, event.releaseId());
                    installed.addBatch();
                    any = true;
                }
            }
            if (any) {
                installed.executeBatch();
            }
        }
    }
}
