package dev.firmament.device;

import java.time.Instant;
import java.util.Map;

/** One entry of a device's history ({@code device_events}), as the activity writer records it. */
public record DeviceEvent(String mac, DeviceEventType type, Long releaseId, Instant at, Map<String, Object> detail) {
}
