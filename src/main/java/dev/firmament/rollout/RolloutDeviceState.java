package dev.firmament.rollout;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A device's state in a rollout ({@code rollout_devices.state}), in the order of {@link RolloutProgress.Counts};
 * superseded devices (now in a rollout that decides first) are not counted.
 */
public enum RolloutDeviceState {
    PENDING, OFFERED, DOWNLOADED, INSTALLED, FAILED, QUARANTINED, REVERTED, SUPERSEDED;

    /** Every state's code, in order. */
    public static final List<String> CODES = Arrays.stream(values()).map(RolloutDeviceState::code).toList();

    /** The stored and displayed name. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state with this code, if there is one. */
    public static Optional<RolloutDeviceState> of(String code) {
        return Arrays.stream(values()).filter(state -> state.code().equals(code)).findFirst();
    }
}
