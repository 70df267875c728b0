package dev.firmament.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.quarkus.qute.TemplateExtension;

import dev.firmament.rollout.RolloutProgress;

/**
 * Small formatting helpers for the console's templates (Qute has no arithmetic or date formatting of its own). The
 * formatters live in the {@code fmt:} namespace, so they also take null ({@code {fmt:utc(device.lastSeen)}}).
 */
public class ConsoleExtensions {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** A stacked progress bar's shares, in percent of the devices. */
    public record Bar(long inFlight, long failed, String okPercent, String busyPercent, String badPercent) {
    }

    @TemplateExtension
    static Bar bar(RolloutProgress.Counts counts) {
        long devices = counts.devices();
        long inFlight = counts.offered() + counts.downloaded();
        long failed = counts.failures();
        return new Bar(inFlight, failed, percent(counts.installed(), devices), percent(inFlight, devices),
                percent(failed, devices));
    }

    private static String percent(long part, long total) {
        return total == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.1f", part * 100.0 / total);
    }

    /** A device event in words, never its stored JSON. */
    @TemplateExtension(namespace = "fmt")
    static String words(dev.firmament.device.DeviceQueries.DeviceEvent event) {
        return EventWords.words(event);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * What an audit event changed, named as people name it ("release 2.1.0", "group canary", "member jane@…"), from the
     * state it recorded; the type and id when that names nothing.
     */
    @TemplateExtension(namespace = "fmt")
    static String target(dev.firmament.audit.AuditEvent event) {
        String type = event.targetType() == null ? "" : event.targetType().replace('-', ' ');
        for (String state : new String[] { event.after(), event.before() }) {
            if (state == null || state.isBlank()) {
                continue;
            }
            try {
                com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(state);
                for (String field : new String[] { "version", "name", "email", "slug", "mac" }) {
                    if (node.path(field).isTextual() && !node.path(field).asText().isBlank()) {
                        return type + " " + node.path(field).asText();
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                break; // not JSON: say what the event itself says
            }
        }
        return event.targetId() == null ? type : type + " " + event.targetId();
    }

    /** A chip as Espressif writes it ({@code ESP32-S3}); {@code any} as "any chip". */
    @TemplateExtension(namespace = "fmt")
    static String chip(String chip) {
        return chip == null || chip.equals(dev.firmament.release.Product.ANY_CHIP) ? "any chip"
                : dev.firmament.release.ImageHeader.chipName(chip);
    }

    /** An ESP32 chip revision as esptool stores it ({@code major * 100 + minor}): {@code v3.1}. */
    @TemplateExtension(namespace = "fmt")
    static String revision(Integer revision) {
        return revision == null ? "" : "v" + revision / 100 + "." + revision % 100;
    }

    /** A share to one decimal: {@code 90.2}. */
    @TemplateExtension(namespace = "fmt")
    static String percent(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    /** {@code 2026-11-21 14:05:09 UTC}; empty for null. */
    @TemplateExtension(namespace = "fmt")
    static String utc(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** {@code 5 min ago}, {@code 3 h ago}, {@code 2 d ago}. */
    @TemplateExtension(namespace = "fmt")
    static String ago(Instant instant) {
        if (instant == null) {
            return "never";
        }
        long seconds = Math.max(0, Duration.between(instant, Instant.now()).toSeconds());
        if (seconds < 60) {
            return seconds + " s ago";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min ago";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h ago";
        }
        return seconds / 86_400 + " d ago";
    }

    /** Bytes as people read them: {@code 1.0 MiB}. */
    @TemplateExtension(namespace = "fmt")
    static String bytes(Long size) {
        return dev.firmament.format.Bytes.human(size);
    }
}
