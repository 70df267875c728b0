package dev.firmament.format;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import dev.firmament.errors.InvalidInputException;

/**
 * Writes an export row by row as it is read, so an export of any size takes constant memory: CSV (RFC 4180, a header
 * line, every cell quoted, a leading quote before {@code = + - @} against formula injection) or NDJSON (one JSON object
 * per line, the columns as keys, values exactly as stored).
 */
public final class ExportWriter implements Closeable, RowSink {

    /** The formats every export offers. */
    public enum Format {
        CSV("text/csv", "csv"), NDJSON("application/x-ndjson", "ndjson");

        public final String mediaType;
        public final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        /** {@code csv} (also when absent) or {@code ndjson}; anything else is refused, saying what is offered. */
        public static Format of(String name) {
            if (name == null || name.isBlank() || name.equalsIgnoreCase("csv")) {
                return CSV;
            }
            if (name.equalsIgnoreCase("ndjson")) {
                return NDJSON;
            }
            throw new InvalidInputException("unknown-format", "format must be csv or ndjson, not " + name);
        }

        /** The {@code Content-Disposition} for a download named {@code base}. */
        public String disposition(String base) {
            return "attachment; filename=\"" + base + "." + extension + "\"";
        }
    }

    // The stream belongs to the response: the writer flushes it and leaves closing to the container.
    private static final JsonFactory JSON = JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    private final Format format;
    private final List<String> columns;
    private final Writer text;
    private final JsonGenerator json;

    public ExportWriter(Format format, List<String> columns, OutputStream out) throws IOException {
        this.format = format;
        this.columns = List.copyOf(columns);
        this.text = new OutputStreamWriter(new BufferedOutputStream(out, 64 * 1024), StandardCharsets.UTF_8);
        if (format == Format.NDJSON) {
            json = JSON.createGenerator(text);
            json.setRootValueSeparator(null);
        } else {
            json = null;
            text.write(String.join(",", columns) + "\r\n"); // column names need no quoting
        }
    }

    /** One row: a value per column, in the columns' order (strings, numbers, booleans, instants or null). */
    @Override
    public void row(Object... values) throws IOException {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        }
        if (format == Format.CSV) {
            cells(values);
            return;
        }
        json.writeStartObject();
        for (int i = 0; i < values.length; i++) {
            json.writeFieldName(columns.get(i));
            Object value = values[i];
            if (value == null || value instanceof Number || value instanceof Boolean) {
                json.writeObject(value); // JSON's own null, number or boolean, exactly as given
            } else {
                json.writeString(value.toString());
            }
        }
        json.writeEndObject();
        json.flush();
        text.write('\n');
    }

    private void cells(Object[] values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.write(',');
            }
            text.write(csvCell(values[i]));
        }
        text.write("\r\n");
    }

    /** One CSV cell: empty for null, else quoted, with a leading quote before what a spreadsheet would evaluate. */
    public static String csvCell(Object value) {
        if (value == null) {
            return "";
        }
        String cell = value.toString();
        String safe = !cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() throws IOException {
        if (json != null) {
            json.close();
        }
        text.flush();
    }
}
