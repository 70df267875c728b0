package dev.firmament.release.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Content-addressed storage of firmware and filesystem images, one namespace per tenant. An object's key is the SHA-256
 * of its bytes, so identical uploads share one object and a stored object never changes. Beside the tenants' objects
 * the store keeps write-once records (audit checkpoints) that no tenant's garbage collection can reach.
 */
public interface ArtifactStore {

    /**
     * Streams {@code content} into the store, computing size, MD5 and SHA-256 on the way. The object becomes visible
     * whole or not at all: a failed, interrupted or oversized put leaves nothing behind.
     *
     * @throws ArtifactTooLargeException
     *             when the content exceeds {@code maxBytes}
     */
    StoredArtifact put(UUID tenantId, InputStream content, long maxBytes) throws IOException;

    /** Size and digests of a stored object, or empty when the tenant has no such object. */
    Optional<StoredArtifact> stat(UUID tenantId, String sha256) throws IOException;

    /** The whole object. */
    InputStream open(UUID tenantId, String sha256) throws IOException;

    /** {@code length} bytes from {@code offset}; the range must lie within the object. */
    InputStream open(UUID tenantId, String sha256, long offset, long length) throws IOException;

    /**
     * A local file with the object's bytes, for zero-copy sending. Objects never change, so a copy is valid for as long
     * as it exists.
     *
     * @throws ArtifactNotFoundException
     *             when the tenant has no such object
     */
    Path localCopy(UUID tenantId, String sha256) throws IOException;

    /** Removes the object; returns whether it existed. */
    boolean delete(UUID tenantId, String sha256) throws IOException;

    /** Every object the tenant has, for audits and garbage collection. */
    List<StoredArtifact> list(UUID tenantId) throws IOException;

    /**
     * Writes a small record (an audit checkpoint) under {@code name}, outside every tenant's namespace, unless a record
     * of that name exists: records are write-once, so a second writer cannot replace the first. Names are
     * slash-separated segments of {@code [a-z0-9._-]}.
     *
     * @return whether this call wrote it
     */
    boolean putRecord(String name, byte[] content) throws IOException;

    /** The record's bytes, or empty when there is none of that name. */
    Optional<byte[]> readRecord(String name) throws IOException;

    /** The names of the records under {@code prefix} (which ends with a slash), in name order. */
    List<String> listRecords(String prefix) throws IOException;

    /** {@code name} if it is a valid record name or prefix (a prefix ends with a slash); refuses anything else. */
    static String requireRecordName(String name, boolean prefix) {
        if (name == null || !name.matches(prefix ? "([a-z0-9._-]+/)+" : "([a-z0-9._-]+/)*[a-z0-9._-]+")
                || name.contains("..")) {
            throw new IllegalArgumentException("Not a record " + (prefix ? "prefix" : "name") + ": " + name);
        }
        return name;
    }

    /** Throws when the store cannot currently serve reads and writes. */
    void checkAvailable() throws IOException;

    /** Where the objects live (path, or endpoint and bucket), for logs and platform administrators only. */
    String describe();

    /** What kind of store this is ({@code filesystem}, {@code s3}): all that anonymous callers are told. */
    String kind();
}
