package dev.firmament.release.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Copies a stream while computing its size, MD5 and SHA-256, stopping as soon as it passes a size limit. */
final class HashingCopy {

    private static final int BUFFER = 64 * 1024;

    private HashingCopy() {
    }

    static StoredArtifact copy(InputStream in, OutputStream out, long maxBytes) throws IOException {
        MessageDigest md5 = digest("MD5");
        MessageDigest sha256 = digest("SHA-256");
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) != -1) {
            total += read;
            if (total > maxBytes) {
                throw new ArtifactTooLargeException(maxBytes);
            }
            md5.update(buffer, 0, read);
            sha256.update(buffer, 0, read);
            out.write(buffer, 0, read);
        }
        return new StoredArtifact(StoredArtifact.hex(sha256.digest()), StoredArtifact.hex(md5.digest()), total);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
