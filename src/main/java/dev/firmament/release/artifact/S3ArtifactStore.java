package dev.firmament.release.artifact;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;

/**
 * Objects in one S3 bucket under {@code <prefix>tenants/<tenant>/<sha256>}, digests in user metadata. An upload is
 * staged in a local file first: its hash (and so its key) is known only at the end, S3 makes a single PUT visible
 * atomically, and a failed or oversized upload never reaches the bucket.
 */
public class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(S3ArtifactStore.class);
    private static final String MD5_METADATA = "md5";
    private static final String SHA256_METADATA = "sha256";

    private final MinioClient client;
    private final StorageConfig.S3 config;
    private final String endpoint;
    private final String keyPrefix;
    private final Path staging;
    private final Path cache;

    public S3ArtifactStore(StorageConfig.S3 config) throws IOException {
        this.config = config;
        this.endpoint = config.endpoint().orElseThrow();
        this.keyPrefix = config.keyPrefix().orElse("");
        String accessKey = config.accessKey().orElseThrow(() -> new IllegalArgumentException(
                "firmament.storage.s3.access-key is required with firmament.storage.s3.endpoint"));
        String secretKey = config.secretKey().orElseThrow(() -> new IllegalArgumentException(
                "firmament.storage.s3.secret-key is required with firmament.storage.s3.endpoint"));
        this.staging = config.stagingDirectory().toAbsolutePath().normalize();
        Files.createDirectories(staging);
        this.cache = config.cacheDirectory().toAbsolutePath().normalize();
        Files.createDirectories(cache);
        this.client = MinioClient.builder().endpoint(endpoint).region(config.region()).credentials(accessKey, secretKey)
                .build();
        // Without timeouts a frozen store hangs uploads, downloads and readiness for as long as it stays frozen.
        client.setTimeout(config.connectTimeout().toMillis(), config.readTimeout().toMillis(),
                config.readTimeout().toMillis());
        if (config.createBucket()) {
            createBucketIfMissing();
        }
    }

    @Override
    public StoredArtifact put(UUID tenantId, InputStream content, long maxBytes) throws IOException {
        Path part = Files.createTempFile(staging, "upload-", ".part");
        try {
            StoredArtifact artifact;
            try (OutputStream out = Files.newOutputStream(part)) {
                artifact = HashingCopy.copy(content, out, maxBytes);
            }
            if (stat(tenantId, artifact.sha256()).isPresent()) {
                return artifact;
            }
            try (InputStream in = Files.newInputStream(part)) {
                call(() -> client.putObject(
                        PutObjectArgs.builder().bucket(config.bucket()).object(key(tenantId, artifact.sha256()))
                                .stream(in, artifact.size(), -1).contentType("application/octet-stream")
                                .userMetadata(Map.of(MD5_METADATA, artifact.md5(), SHA256_METADATA, artifact.sha256()))
                                .build()));
            }
            return artifact;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public Optional<StoredArtifact> stat(UUID tenantId, String sha256) throws IOException {
        Optional<StatObjectResponse> found = statKey(key(tenantId, sha256));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String md5 = found.get().userMetadata().get(MD5_METADATA);
        if (md5 == null) {
            throw new IOException(
                    "Object " + found.get().object() + " has no MD5 metadata; it was not stored by" + " Firmament");
        }
        return Optional.of(new StoredArtifact(sha256, md5, found.get().size()));
    }

    @Override
    public InputStream open(UUID tenantId, String sha256) throws IOException {
        return get(GetObjectArgs.builder().bucket(config.bucket()).object(key(tenantId, sha256)).build(), sha256);
    }

    @Override
    public InputStream open(UUID tenantId, String sha256, long offset, long length) throws IOException {
        StoredArtifact artifact = stat(tenantId, sha256).orElseThrow(() -> new ArtifactNotFoundException(sha256));
        FilesystemArtifactStore.checkRange(offset, length, artifact.size());
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        return get(GetObjectArgs.builder().bucket(config.bucket()).object(key(tenantId, sha256)).offset(offset)
                .length(length).build(), sha256);
    }

    /**
     * Downloads the object once into the local cache (checked against its SHA-256, renamed into place atomically);
     * later calls return the cached file.
     */
    @Override
    public Path localCopy(UUID tenantId, String sha256) throws IOException {
        Path cached = cache.resolve(tenantId.toString()).resolve(StoredArtifact.requireSha256(sha256));
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        Files.createDirectories(cached.getParent());
        Path part = Files.createTempFile(staging, "cache-", ".part");
        try {
            StoredArtifact copied;
            try (InputStream in = open(tenantId, sha256); OutputStream out = Files.newOutputStream(part)) {
                copied = HashingCopy.copy(in, out, Long.MAX_VALUE);
            }
            if (!copied.sha256().equals(sha256)) {
                throw new ArtifactCorruptException(sha256, copied.sha256());
            }
            Files.move(part, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return cached;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public boolean delete(UUID tenantId, String sha256) throws IOException {
        Files.deleteIfExists(cache.resolve(tenantId.toString()).resolve(StoredArtifact.requireSha256(sha256)));
        if (stat(tenantId, sha256).isEmpty()) {
            return false;
        }
        call(() -> {
            client.removeObject(
                    RemoveObjectArgs.builder().bucket(config.bucket()).object(key(tenantId, sha256)).build());
            return null;
        });
        return true;
    }

    @Override
    public List<StoredArtifact> list(UUID tenantId) throws IOException {
        List<StoredArtifact> artifacts = new ArrayList<>();
        Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder().bucket(config.bucket())
                .prefix(tenantPrefix(tenantId)).recursive(true).build());
        for (Result<Item> result : items) {
            Item item = call(result::get);
            String name = item.objectName().substring(tenantPrefix(tenantId).length());
            if (name.length() == 64) {
                stat(tenantId, name).ifPresent(artifacts::add);
            }
        }
        return artifacts;
    }

    @Override
    public boolean putRecord(String name, byte[] content) throws IOException {
        String key = recordKey(ArtifactStore.requireRecordName(name, false));
        if (statKey(key).isPresent()) {
            return false;
        }
        // If-None-Match makes the put itself conditional where the server supports it (AWS, MinIO), closing the race
        // between two writers; a bucket with Object Lock makes the record undeletable as well.
        call(() -> client.putObject(PutObjectArgs.builder().bucket(config.bucket()).object(key)
                .stream(new ByteArrayInputStream(content), content.length, -1).contentType("text/plain")
                .headers(Map.of("If-None-Match", "*")).build()));
        return true;
    }

    @Override
    public Optional<byte[]> readRecord(String name) throws IOException {
        String key = recordKey(ArtifactStore.requireRecordName(name, false));
        try (InputStream in = get(GetObjectArgs.builder().bucket(config.bucket()).object(key).build(), name)) {
            return Optional.of(in.readAllBytes());
        } catch (ArtifactNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> listRecords(String prefix) throws IOException {
        String keys = recordKey(ArtifactStore.requireRecordName(prefix, true));
        List<String> names = new ArrayList<>();
        for (Result<Item> result : client
                .listObjects(ListObjectsArgs.builder().bucket(config.bucket()).prefix(keys).recursive(false).build())) {
            Item item = call(result::get);
            if (!item.isDir()) {
                names.add(prefix + item.objectName().substring(keys.length()));
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public void checkAvailable() throws IOException {
        boolean exists = call(() -> client.bucketExists(BucketExistsArgs.builder().bucket(config.bucket()).build()));
        if (!exists) {
            throw new IOException("Bucket " + config.bucket() + " does not exist");
        }
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public String describe() {
        return "s3 " + endpoint + " bucket " + config.bucket();
    }

    @Override
    public void close() {
        try {
            client.close(); // otherwise OkHttp's threads keep the JVM alive for a minute after shutdown
        } catch (Exception e) {
            LOG.debug("Closing the S3 client", e);
        }
    }

    private void createBucketIfMissing() throws IOException {
        if (!call(() -> client.bucketExists(BucketExistsArgs.builder().bucket(config.bucket()).build()))) {
            call(() -> {
                client.makeBucket(MakeBucketArgs.builder().bucket(config.bucket()).region(config.region()).build());
                return null;
            });
            LOG.infof("Created bucket %s", config.bucket());
        }
    }

    private InputStream get(GetObjectArgs args, String name) throws IOException {
        try {
            return client.getObject(args);
        } catch (ErrorResponseException e) {
            if (isNotFound(e)) {
                throw new ArtifactNotFoundException(name);
            }
            throw new IOException("S3 get failed: " + e.errorResponse().code(), e);
        } catch (MinioException | GeneralSecurityException e) {
            throw new IOException("S3 get failed", e);
        }
    }

    private String recordKey(String nameOrPrefix) {
        return keyPrefix + "records/" + nameOrPrefix;
    }

    /** The object's metadata, or empty when there is no such object. */
    private Optional<StatObjectResponse> statKey(String key) throws IOException {
        try {
            return Optional.of(client.statObject(StatObjectArgs.builder().bucket(config.bucket()).object(key).build()));
        } catch (ErrorResponseException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw new IOException("S3 stat failed: " + e.errorResponse().code(), e);
        } catch (MinioException | GeneralSecurityException e) {
            throw new IOException("S3 stat failed", e);
        }
    }

    private String tenantPrefix(UUID tenantId) {
        return keyPrefix + "tenants/" + tenantId + "/";
    }

    private String key(UUID tenantId, String sha256) {
        return tenantPrefix(tenantId) + StoredArtifact.requireSha256(sha256);
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || e.response().code() == 404;
    }

    /** One S3 call, its many checked exceptions folded into IOException. */
    private static <T> T call(S3Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (ErrorResponseException e) {
            throw new IOException("S3 request failed: " + e.errorResponse().code() + " " + e.errorResponse().message(),
                    e);
        } catch (MinioException | GeneralSecurityException e) {
            throw new IOException("S3 request failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws MinioException, GeneralSecurityException, IOException;
    }
}
