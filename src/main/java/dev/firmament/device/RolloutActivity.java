package dev.firmament.device;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The rollout side of a batch of device activity, written by the rollout feature (which owns {@code rollout_devices})
 * in the activity writer's transaction. Declared here so that the device feature does not depend on rollouts.
 */
public interface RolloutActivity {

    /**
     * Writes the rollout progress of {@code records} (check-ins and downloads, in the order devices reported them) and
     * of the {@code installed} and {@code failed} events among {@code events}; adds a {@code quarantined} or
     * {@code reverted} event to {@code events} for each device that became one.
     *
     * @return whether a device was quarantined or reverted: the decision snapshots must learn it
     */
    boolean write(Connection c, String tenantId, List<Object> records, List<DeviceEvent> events) throws SQLException;
}
