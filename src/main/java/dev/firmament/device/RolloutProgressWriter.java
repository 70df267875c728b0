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
 * completes it. Rows of rollouts that ended are left as they were.
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

    private static final String DOWNLOADED = "update rollout_devices rd set downloads = rd.downloads + 1,"
            + " downloaded_at = ?, state = case when rd.downloads + 1 >= ? then 'quarantined' else 'downloaded' end,"
            + " failure = case when rd.downloads + 1 >= ? then 'update-loop' end, finished_at = case when"
            + " rd.downloads + 1 >= ? then cast(? as timestamptz) end from rollouts r where rd.tenant_id = ? and rd.mac = ? and"
            + " r.tenant_id = rd.tenant_id and r.id = rd.rollout_id and r.release_id = ? and r.state in ('running',"
            + " 'paused', 'completed') and rd.state in ('pending', 'offered', 'downloaded', 'failed')"
            + " returning rd.rollout_id, rd.state, rd.downloads";

    private static final String INSTALLED = "update rollout_devices rd set state = 'installed', finished_at = ?,"
            + " failure = null from rollouts r where rd.tenant_id = ? and rd.mac = ? and r.tenant_id = rd.tenant_id"
            + " and r.id = rd.rollout_id and r.release_id = ? and rd.state in ('pending', 'offered', 'downloaded',"
            + " 'failed')";

    /**
     * Writes the rollout progress of {@code records}; adds a {@code quarantined} event to {@code events} for each
     * device quarantined. Returns whether any was (the decision snapshots must learn it).
     */
    static boolean write(Connection c, String tenantId, List<Object> records, List<Event> events, int loopDownloads)
            throws SQLException {
        boolean quarantined = false;
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
        return quarantined;
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
