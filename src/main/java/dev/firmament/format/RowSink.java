package dev.firmament.format;

import java.io.IOException;

/** Takes an export's rows one by one as they are read: a value per column, in the columns' order. */
@FunctionalInterface
public interface RowSink {
    void row(Object... values) throws IOException;
}
