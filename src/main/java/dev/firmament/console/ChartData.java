package dev.firmament.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Chart.js configuration as JSON to embed in a {@code <script type="application/json">} block. Labels may be
 * device-reported versions (untrusted), so every {@code <} is escaped: the block cannot be closed from inside.
 */
final class ChartData {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The series colours, in order; {@link #OTHER} for what is summed up as "other". */
    private static final java.util.List<String> SERIES = java.util.List.of("#3b6fd4", "#2e8540", "#d4883b", "#8a3bd4",
            "#d43b6f", "#3bb7d4");
    static final String OTHER = "#999999";

    private ChartData() {
    }

    /** The colour of series {@code index}, starting again after the last. */
    static String colour(int index) {
        return SERIES.get(index % SERIES.size());
    }

    static String of(Object config) {
        try {
            return JSON.writeValueAsString(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&",
                    "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
