package dev.firmament.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Chart.js configuration as JSON to embed in a {@code <script type="application/json">} block. Labels may be
 * device-reported versions (untrusted), so every {@code <} is escaped: the block cannot be closed from inside.
 */
final class ChartData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChartData() {
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
