package dev.firmament.device;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.jboss.logging.Logger;

/**
 * An append-only journal of device activity that could not be written to the database yet, under the data directory.
 * Each entry is one tenant's part of a batch, as length, CRC-32 and bytes; entries are appended by the writer thread
 * only and forced to disk once per append. Segments are closed at {@link #SEGMENT_BYTES} or when replay begins, and
 * replayed oldest first; a segment is deleted once every one of its entries is committed. A torn last entry (the
 * process died while appending) fails its checksum and is skipped, with a warning.
 *
 * <p>
 * Entries carry an id ({@code segment/index}) that the database remembers in the same transaction as the activity
 * itself, so an entry replayed twice (a crash after the commit, before the segment was deleted) is written once.
 */
final class ActivityJournal {

    private static final Logger LOG = Logger.getLogger(ActivityJournal.class);
    static final long SEGMENT_BYTES = 8L * 1024 * 1024;
    private static final String SUFFIX = ".journal";

    /** One entry read back: its id and its bytes. */
    record Entry(String id, byte[] payload) {
    }

    private final Path directory;
    private final long maxBytes;
    private FileChannel current;
    private Path currentPath;
    private long size;
    /** The stamp of the newest segment: the next one's is larger, whatever the clock says. */
    private long lastStamp;

    ActivityJournal(Path directory, long maxBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(directory);
            for (Path segment : segments()) {
                size += sizeOf(segment);
                String name = segment.getFileName().toString();
                try {
                    lastStamp = Math.max(lastStamp, Long.parseLong(name.substring(0, name.indexOf('-'))));
                } catch (RuntimeException notOurs) {
                    // a segment not named by this class still sorts, and is replayed in name order
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use the device activity journal in " + directory, e);
        }
    }

    /** Bytes on disk, all segments. */
    synchronized long size() {
        return size;
    }

    synchronized boolean isEmpty() {
        return size == 0;
    }

    /**
     * Appends the payloads and forces them to disk. Returns false, writing nothing, when they would take the journal
     * past its bound.
     */
    synchronized boolean append(List<byte[]> payloads) throws IOException {
        long bytes = payloads.stream().mapToLong(p -> p.length + 8L).sum();
        if (size + bytes > maxBytes) {
            return false;
        }
        // A write interrupted by shutdown closes the channel; what it forced is kept, and a torn tail is skipped on
        // read.
        if (current == null || !current.isOpen() || current.size() >= SEGMENT_BYTES) {
            rotate();
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) bytes);
        for (byte[] payload : payloads) {
            CRC32 crc = new CRC32();
            crc.update(payload);
            buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            current.write(buffer);
        }
        current.force(false);
        size += bytes;
        return true;
    }

    /**
     * The oldest segment's entries, closing the segment being appended to if it is the only one; empty when the journal
     * is empty.
     */
    synchronized Segment oldest() throws IOException {
        List<Path> segments = segments();
        if (segments.isEmpty()) {
            return null;
        }
        Path oldest = segments.get(0);
        if (oldest.equals(currentPath)) {
            closeCurrent();
        }
        return new Segment(oldest, read(oldest));
    }

    /** A closed segment and its entries, in order. */
    record Segment(Path path, List<Entry> entries) {

        String name() {
            String file = path.getFileName().toString();
            return file.substring(0, file.length() - SUFFIX.length());
        }
    }

    /** Removes a segment whose entries are all committed. */
    synchronized void delete(Segment segment) throws IOException {
        long bytes = sizeOf(segment.path());
        Files.deleteIfExists(segment.path());
        size = Math.max(0, size - bytes);
    }

    synchronized void close() {
        closeCurrent();
    }

    private void rotate() throws IOException {
        closeCurrent();
        // Names sort by creation: a zero-padded stamp that always grows (the time, or one more than the newest
        // segment's when two are made within a millisecond), then a random part that keeps entry ids unique across
        // restarts.
        lastStamp = Math.max(System.currentTimeMillis(), lastStamp + 1);
        currentPath = directory
                .resolve(String.format("%020d-%s%s", lastStamp, UUID.randomUUID().toString().substring(0, 8), SUFFIX));
        current = FileChannel.open(currentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileChannel directoryChannel = null;
        try {
            directoryChannel = FileChannel.open(directory, StandardOpenOption.READ);
            directoryChannel.force(true); // the new file's name survives a crash too
        } catch (IOException e) {
            // some file systems cannot open a directory; the segment's own data is still forced
        } finally {
            if (directoryChannel != null) {
                directoryChannel.close();
            }
        }
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                LOG.warn("Closing a device activity journal segment failed", e);
            }
            current = null;
            currentPath = null;
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.toString().endsWith(SUFFIX)).sorted().toList();
        }
    }

    private static List<Entry> read(Path segment) throws IOException {
        List<Entry> entries = new ArrayList<>();
        String name = segment.getFileName().toString();
        name = name.substring(0, name.length() - SUFFIX.length());
        try (InputStream file = Files.newInputStream(segment);
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(file))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                int checksum;
                byte[] payload;
                try {
                    checksum = in.readInt();
                    if (length < 0 || length > SEGMENT_BYTES * 4) {
                        throw new EOFException("implausible entry length " + length);
                    }
                    payload = in.readNBytes(length);
                    if (payload.length < length) {
                        throw new EOFException("entry cut short");
                    }
                } catch (EOFException torn) {
                    LOG.warnf("Device activity journal %s ends in a torn entry (%s); skipped", segment,
                            torn.getMessage());
                    break;
                }
                CRC32 crc = new CRC32();
                crc.update(payload);
                if ((int) crc.getValue() != checksum) {
                    LOG.warnf("Device activity journal %s: entry %d fails its checksum; it and the rest are skipped",
                            segment, entries.size());
                    break;
                }
                entries.add(new Entry(name + "/" + entries.size(), payload));
            }
        }
        return entries;
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return 0;
        }
    }
}
