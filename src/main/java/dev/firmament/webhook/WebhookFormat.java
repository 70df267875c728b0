package dev.firmament.webhook;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a subscription's messages look like. */
public enum WebhookFormat {
    /** The Standard Webhooks payload, {@code {"type", "timestamp", "data"}}, signed. */
    STANDARD,
    /** A Slack or Mattermost incoming webhook: {@code {"text": …}} with a link to the console (also signed). */
    SLACK;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<WebhookFormat> of(String code) {
        return Arrays.stream(values()).filter(format -> format.code().equals(code)).findFirst();
    }

    /** Stores the code. */
    @jakarta.persistence.Converter
    public static class Converter implements jakarta.persistence.AttributeConverter<WebhookFormat, String> {
        @Override
        public String convertToDatabaseColumn(WebhookFormat format) {
            return format == null ? null : format.code();
        }

        @Override
        public WebhookFormat convertToEntityAttribute(String code) {
            return code == null ? null : of(code).orElseThrow();
        }
    }
}
