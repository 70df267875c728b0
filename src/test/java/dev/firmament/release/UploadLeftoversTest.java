package dev.firmament.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an upload cut short by a crash leaves in the staging directory is removed, and nothing else. */
class UploadLeftoversTest {

    @TempDir
    Path dir;

    @Test
    void filesOfInterruptedUploadsAreRemovedAndAMissingDirectoryIsFine() throws Exception {
        Path uploads = Files.createDirectories(dir.resolve("uploads"));
        Files.write(uploads.resolve("part-1"), new byte[1024]);
        Files.write(uploads.resolve("part-2"), new byte[1024]);
        Path elsewhere = Files.writeString(dir.resolve("keep.txt"), "not an upload");

        assertThat(UploadLeftovers.remove(uploads)).isEqualTo(2);
        try (var left = Files.list(uploads)) {
            assertThat(left.toList()).isEmpty();
        }
        assertThat(elsewhere).exists();
        assertThat(UploadLeftovers.remove(dir.resolve("missing"))).isZero();
    }
}
