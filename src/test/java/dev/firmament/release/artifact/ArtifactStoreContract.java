package dev.firmament.release.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

/** What every {@link ArtifactStore} must do; each implementation's test runs all of it against a real backend. */
abstract class ArtifactStoreContract {

    static final long LIMIT = 8L * 1024 * 1024;

    @Inject
    ArtifactStore store;

    final UUID tenant = UUID.randomUUID();
    final UUID otherTenant = UUID.randomUUID();

    @Test
    void recordsAreWriteOnceAndListedInNameOrder() throws Exception {
        String prefix = "test-records/" + UUID.randomUUID() + "/";

        assertThat(store.putRecord(prefix + "0002.txt", "second".getBytes())).isTrue();
        assertThat(store.putRecord(prefix + "0001.txt", "first".getBytes())).isTrue();
        assertThat(store.putRecord(prefix + "0001.txt", "replaced".getBytes())).isFalse();

        assertThat(store.readRecord(prefix + "0001.txt"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo("first".getBytes()));
        assertThat(store.readRecord(prefix + "0003.txt")).isEmpty();
        assertThat(store.listRecords(prefix)).containsExactly(prefix + "0001.txt", prefix + "0002.txt");
        assertThat(store.listRecords("test-records/" + UUID.randomUUID() + "/")).isEmpty();
        assertThatThrownBy(() -> store.putRecord("../tenants/x", new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.listRecords("no-slash")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putComputesSizeAndDigestsWhileStreaming() throws Exception {
        byte[] image = randomBytes(300_001);

        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(image), LIMIT);

        assertThat(stored.size()).isEqualTo(image.length);
        assertThat(stored.md5()).isEqualTo(hex("MD5", image));
        assertThat(stored.sha256()).isEqualTo(hex("SHA-256", image));
        assertThat(store.stat(tenant, stored.sha256())).contains(stored);
    }

    @Test
    void openReturnsTheExactBytes() throws Exception {
        byte[] image = randomBytes(70_000);
        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(image), LIMIT);

        try (InputStream in = store.open(tenant, stored.sha256())) {
            assertThat(in.readAllBytes()).isEqualTo(image);
        }
    }

    @Test
    void openRangeReturnsExactlyThatRange() throws Exception {
        byte[] image = randomBytes(100_000);
        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(image), LIMIT);

        try (InputStream in = store.open(tenant, stored.sha256(), 65_000, 1_234)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(image, 65_000, 66_234));
        }
        try (InputStream in = store.open(tenant, stored.sha256(), 99_990, 10)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(image, 99_990, 100_000));
        }
    }

    @Test
    void rangeBeyondTheObjectIsRefused() throws Exception {
        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(randomBytes(1_000)), LIMIT);

        assertThatThrownBy(() -> store.open(tenant, stored.sha256(), 900, 101))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void localCopyHasTheExactBytes() throws Exception {
        byte[] image = randomBytes(123_456);
        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(image), LIMIT);

        assertThat(java.nio.file.Files.readAllBytes(store.localCopy(tenant, stored.sha256()))).isEqualTo(image);
        assertThat(java.nio.file.Files.readAllBytes(store.localCopy(tenant, stored.sha256()))).isEqualTo(image);
        assertThatThrownBy(() -> store.localCopy(otherTenant, stored.sha256()))
                .isInstanceOf(ArtifactNotFoundException.class);
    }

    @Test
    void identicalContentIsStoredOnce() throws Exception {
        byte[] image = randomBytes(5_000);

        StoredArtifact first = store.put(tenant, new ByteArrayInputStream(image), LIMIT);
        StoredArtifact second = store.put(tenant, new ByteArrayInputStream(image), LIMIT);

        assertThat(second).isEqualTo(first);
        assertThat(store.list(tenant)).containsExactly(first);
    }

    @Test
    void anotherTenantCannotSeeOpenOrDeleteTheObject() throws Exception {
        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(randomBytes(2_000)), LIMIT);

        assertThat(store.stat(otherTenant, stored.sha256())).isEmpty();
        assertThat(store.list(otherTenant)).isEmpty();
        assertThatThrownBy(() -> store.open(otherTenant, stored.sha256()))
                .isInstanceOf(ArtifactNotFoundException.class);
        assertThat(store.delete(otherTenant, stored.sha256())).isFalse();
        assertThat(store.stat(tenant, stored.sha256())).contains(stored);
    }

    @Test
    void deleteRemovesTheObject() throws Exception {
        StoredArtifact stored = store.put(tenant, new ByteArrayInputStream(randomBytes(2_000)), LIMIT);

        assertThat(store.delete(tenant, stored.sha256())).isTrue();

        assertThat(store.stat(tenant, stored.sha256())).isEmpty();
        assertThat(store.delete(tenant, stored.sha256())).isFalse();
        assertThatThrownBy(() -> store.open(tenant, stored.sha256())).isInstanceOf(ArtifactNotFoundException.class);
    }

    @Test
    void interruptedPutLeavesNothingVisible() throws Exception {
        byte[] image = randomBytes(200_000);
        InputStream breaksMidway = new FailingInputStream(image, 150_000);

        assertThatThrownBy(() -> store.put(tenant, breaksMidway, LIMIT)).isInstanceOf(IOException.class)
                .hasMessageContaining("connection reset");

        assertThat(store.list(tenant)).isEmpty();
        assertThat(store.stat(tenant, hex("SHA-256", java.util.Arrays.copyOf(image, 150_000)))).isEmpty();
        assertThat(store.stat(tenant, hex("SHA-256", image))).isEmpty();
    }

    @Test
    void oversizedPutIsRefusedAndLeavesNothing() throws Exception {
        byte[] image = randomBytes(10_001);

        assertThatThrownBy(() -> store.put(tenant, new ByteArrayInputStream(image), 10_000))
                .isInstanceOf(ArtifactTooLargeException.class);

        assertThat(store.list(tenant)).isEmpty();
    }

    @Test
    void emptyContentIsAValidObject() throws Exception {
        StoredArtifact stored = store.put(tenant, InputStream.nullInputStream(), LIMIT);

        assertThat(stored.size()).isZero();
        assertThat(stored.md5()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        try (InputStream in = store.open(tenant, stored.sha256())) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void keysThatAreNotDigestsAreRefused() {
        assertThatThrownBy(() -> store.stat(tenant, "../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open(tenant, "ABCDEF".repeat(10) + "abcd"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsItselfAvailable() throws Exception {
        store.checkAvailable();
        assertThat(store.describe()).isNotBlank();
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        bytes[0] = (byte) 0xE9;
        return bytes;
    }

    static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    /** A client that disconnects part-way through its upload. */
    static final class FailingInputStream extends InputStream {
        private final byte[] data;
        private final int failAt;
        private int position;

        FailingInputStream(byte[] data, int failAt) {
            this.data = data;
            this.failAt = failAt;
        }

        @Override
        public int read() throws IOException {
            if (position >= failAt) {
                throw new IOException("connection reset by peer");
            }
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position >= failAt) {
                throw new IOException("connection reset by peer");
            }
            int count = Math.min(length, failAt - position);
            System.arraycopy(data, position, buffer, offset, count);
            position += count;
            return count;
        }
    }
}
