package dev.firmament.release.artifact;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where release images are stored: the filesystem by default, S3 as soon as {@code firmament.storage.s3.*} is set. */
@ConfigMapping(prefix = "firmament.storage")
public interface StorageConfig {

    /** Directory of the filesystem store, used when no S3 endpoint is configured. */
    @WithDefault("${firmament.data-dir}/artifacts")
    Path directory();

    /** An S3-compatible object store (AWS S3, MinIO, ...); used instead of the filesystem once its endpoint is set. */
    S3 s3();

    /** Connection to an S3-compatible object store. */
    interface S3 {

        /** Endpoint URL, for example {@code https://s3.eu-central-1.amazonaws.com} or {@code http://minio:9000}. */
        Optional<String> endpoint();

        /** Region the bucket lives in. */
        @WithDefault("us-east-1")
        String region();

        /** Bucket holding every tenant's objects, each tenant under its own key prefix. */
        @WithDefault("firmament")
        String bucket();

        /** Access key id. */
        Optional<String> accessKey();

        /** Secret access key. */
        Optional<String> secretKey();

        /** Prefix put before every object key (for example {@code firmament/}), to share a bucket with other data. */
        Optional<String> keyPrefix();

        /** Create the bucket at start when it does not exist (convenient for MinIO; needs the permission). */
        @WithDefault("false")
        boolean createBucket();

        /** Local directory where uploads are staged and hashed before they are sent; content is addressed by hash. */
        @WithDefault("${firmament.data-dir}/staging")
        Path stagingDirectory();

        /** Local copies of objects, so downloads are sent from a file; on the same filesystem as the staging area. */
        @WithDefault("${firmament.data-dir}/cache")
        Path cacheDirectory();

        /** How long connecting to the store may take before the call fails (and a device is answered 503). */
        @WithDefault("5s")
        java.time.Duration connectTimeout();

        /** How long the store may stay silent during a call (read or write) before it fails: a frozen store. */
        @WithDefault("30s")
        java.time.Duration readTimeout();
    }
}
