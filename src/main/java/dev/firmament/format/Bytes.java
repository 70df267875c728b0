package dev.firmament.format;

import java.util.Locale;

/** Sizes as people read them, for messages and pages alike. */
public final class Bytes {

    private Bytes() {
    }

    /** {@code 512 B}, {@code 7.0 KiB}, {@code 1.0 MiB}; empty for null. */
    public static String human(Long size) {
        if (size == null) {
            return "";
        }
        if (size < 1024) {
            return size + " B";
        }
        return size < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", size / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", size / 1048576.0);
    }
}
