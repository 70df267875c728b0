package dev.firmament.format;

import java.io.IOException;
import java.util.List;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** The download of an export, for the API and the console alike: rows written as the database hands them over. */
public final class ExportDownload {

    /** Reads an export's rows into a sink; runs while the response is written. */
    @FunctionalInterface
    public interface Source {
        void writeTo(RowSink sink) throws IOException;
    }

    private ExportDownload() {
    }

    /**
     * {@code source}'s rows as {@code format} ({@code csv}, {@code ndjson}), downloaded as {@code name}. The format is
     * checked now, so a wrong one is a 400 rather than a broken download.
     */
    public static Response of(String format, String name, List<String> columns, Source source) {
        ExportWriter.Format chosen = ExportWriter.Format.of(format);
        StreamingOutput body = out -> {
            try (ExportWriter writer = new ExportWriter(chosen, columns, out)) {
                source.writeTo(writer);
            }
        };
        return Response.ok(body, chosen.mediaType).header("Content-Disposition", chosen.disposition(name)).build();
    }
}
