package dev.firmament.release.artifact;

import java.util.HexFormat;
import java.util.regex.Pattern;

/** A stored object: its size and its digests as lower-case hex. */
public record StoredArtifact(String sha256, String md5, long size) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");

    public StoredArtifact {
        requireSha256(sha256);
        if (md5 == null || !MD5.matcher(md5).matches()) {
            throw new IllegalArgumentException("Not a lower-case hex MD5: " + md5);
        }
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
    }

    /** Keys are built from digests; anything else (a path, a traversal) is refused before it reaches a store. */
    static String requireSha256(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("Not a lower-case hex SHA-256: " + sha256);
        }
        return sha256;
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
