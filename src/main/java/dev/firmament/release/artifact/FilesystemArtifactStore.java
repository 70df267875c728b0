package dev.firmament.release.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Objects as files: {@code tenants/<tenant>/<ab>/<sha256>} with the MD5 in a {@code .md5} file beside it. Content is
 * written to {@code .incoming/}, forced to disk and then renamed into place, so a reader never sees a partial file.
 */
public class FilesystemArtifactStore implements ArtifactStore {

    private final Path root;
    private final Path incoming;

    public FilesystemArtifactStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.incoming = this.root.resolve(".incoming");
        Files.createDirectories(incoming);
        deleteLeftoverIncomingFiles();
    }

    @Override
    public StoredArtifact put(UUID tenantId, InputStream content, long maxBytes) throws IOException {
        Path part = incoming.resolve(UUID.randomUUID() + ".part");
        try {
            StoredArtifact artifact;
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                artifact = HashingCopy.copy(content, out, maxBytes);
                channel.force(true);
            }
            Path target = objectPath(tenantId, artifact.sha256());
            if (Files.exists(target)) {
                return artifact; // same bytes already stored: content addressing makes this a no-op
            }
            Files.createDirectories(target.getParent());
            writeAtomically(md5Path(target), artifact.md5().getBytes(StandardCharsets.US_ASCII));
            move(part, target);
            return artifact;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public Optional<StoredArtifact> stat(UUID tenantId, String sha256) throws IOException {
        Path target = objectPath(tenantId, sha256);
        try {
            long size = Files.size(target);
            String md5 = Files.readString(md5Path(target), StandardCharsets.US_ASCII).trim();
            return Optional.of(new StoredArtifact(sha256, md5, size));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(UUID tenantId, String sha256) throws IOException {
        try {
            return Files.newInputStream(objectPath(tenantId, sha256));
        } catch (NoSuchFileException e) {
            throw new ArtifactNotFoundException(sha256);
        }
    }

    @Override
    public InputStream open(UUID tenantId, String sha256, long offset, long length) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(objectPath(tenantId, sha256), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ArtifactNotFoundException(sha256);
        }
        try {
            checkRange(offset, length, channel.size());
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Path localCopy(UUID tenantId, String sha256) throws IOException {
        Path path = objectPath(tenantId, sha256);
        if (!Files.isRegularFile(path)) {
            throw new ArtifactNotFoundException(sha256);
        }
        // Devices are sent the file itself (zero copy): check once that its bytes are still the ones stored, and again
        // whenever its size or modification time changes.
        var attributes = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        String seen = attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
        if (!seen.equals(verified.get(path))) {
            StoredArtifact actual;
            try (InputStream in = Files.newInputStream(path)) {
                actual = HashingCopy.copy(in, java.io.OutputStream.nullOutputStream(), Long.MAX_VALUE);
            }
            if (!actual.sha256().equals(sha256)) {
                verified.remove(path);
                throw new ArtifactCorruptException(sha256, actual.sha256());
            }
            verified.put(path, seen);
        }
        return path;
    }

    /** Objects whose bytes were hashed and matched, with the size and modification time they had then. */
    private final java.util.concurrent.ConcurrentHashMap<Path, String> verified = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public boolean delete(UUID tenantId, String sha256) throws IOException {
        Path target = objectPath(tenantId, sha256);
        boolean existed = Files.deleteIfExists(target);
        Files.deleteIfExists(md5Path(target));
        return existed;
    }

    @Override
    public List<StoredArtifact> list(UUID tenantId) throws IOException {
        Path tenantRoot = tenantRoot(tenantId);
        List<StoredArtifact> artifacts = new ArrayList<>();
        if (!Files.isDirectory(tenantRoot)) {
            return artifacts;
        }
        try (var files = Files.walk(tenantRoot, 2)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.length() == 64) {
                    stat(tenantId, name).ifPresent(artifacts::add);
                }
            }
        }
        return artifacts;
    }

    @Override
    public boolean putRecord(String name, byte[] content) throws IOException {
        Path target = recordPath(ArtifactStore.requireRecordName(name, false));
        Files.createDirectories(target.getParent());
        Path part = incoming.resolve(UUID.randomUUID() + ".part");
        try {
            Files.write(part, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            // link(2) fails when the name exists, where a rename would replace it: that is what makes records
            // write-once.
            Files.createLink(target, part);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public Optional<byte[]> readRecord(String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(recordPath(ArtifactStore.requireRecordName(name, false))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> listRecords(String prefix) throws IOException {
        Path directory = recordPath(ArtifactStore.requireRecordName(prefix, true));
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (var files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).map(file -> prefix + file.getFileName()).sorted().toList();
        }
    }

    @Override
    public void checkAvailable() throws IOException {
        Path probe = Files.createTempFile(incoming, "health", ".probe");
        Files.delete(probe);
    }

    @Override
    public String kind() {
        return "filesystem";
    }

    @Override
    public String describe() {
        return "filesystem " + root;
    }

    static void checkRange(long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException(
                    "Range " + offset + "+" + length + " is outside an object of " + size + " bytes");
        }
    }

    private Path recordPath(String name) {
        return root.resolve("records").resolve(name);
    }

    private Path tenantRoot(UUID tenantId) {
        return root.resolve("tenants").resolve(tenantId.toString());
    }

    private Path objectPath(UUID tenantId, String sha256) {
        StoredArtifact.requireSha256(sha256);
        return tenantRoot(tenantId).resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static Path md5Path(Path object) {
        return object.resolveSibling(object.getFileName() + ".md5");
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path part = incoming.resolve(UUID.randomUUID() + ".part");
        try {
            Files.write(part, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            move(part, target);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The artifact directory must allow atomic renames: " + to.getParent(), e);
        } catch (FileAlreadyExistsException e) {
            // a concurrent put of the same content won the race; the bytes are identical
        }
    }

    /**
     * Parts left by a crash mid-upload are garbage: nothing references them. Recent ones may belong to an upload still
     * running in another process sharing the directory, so only old ones go.
     */
    private void deleteLeftoverIncomingFiles() throws IOException {
        Instant cutoff = Instant.now().minus(Duration.ofHours(1));
        try (var parts = Files.list(incoming)) {
            for (Path part : parts.toList()) {
                if (Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(part);
                }
            }
        }
    }
}
