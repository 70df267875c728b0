package dev.firmament.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.firmament.testing.Fleet;

/** Firmware headers read as esptool reads them. */
class ImageHeaderTest {

    @Test
    void anEsp8266ImageIsKnownByItsEntryPointAndSaysItsFlash() {
        ImageHeader header = ImageHeader.read(head(Fleet.esp8266Image(100, 1, 0x4f)));
        assertThat(header.format()).isEqualTo("esp8266-app");
        assertThat(header.chip()).isEqualTo("esp8266");
        assertThat(header.flashSize()).isEqualTo(4L << 20);
        assertThat(header.flashMode()).isEqualTo("dio");
        assertThat(header.flashFrequency()).isEqualTo("80m");
        assertThat(ImageHeader.read(head(Fleet.esp8266Image(100, 1, 0x90))).flashSize()).isEqualTo(16L << 20);
        assertThat(ImageHeader.read(head(Fleet.esp8266Image(100, 1, 0x20))).flashSize()).isEqualTo(1L << 20);
    }

    @Test
    void esp32FamilyImagesNameTheirChipInTheExtendedHeader() {
        int[][] chips = { { 0, 0 }, { 2, 0 }, { 5, 0 }, { 9, 0 }, { 12, 0 }, { 13, 0 }, { 16, 0 }, { 18, 0 },
                { 23, 0 } };
        String[] names = { "esp32", "esp32s2", "esp32c3", "esp32s3", "esp32c2", "esp32c6", "esp32h2", "esp32p4",
                "esp32c5" };
        for (int i = 0; i < chips.length; i++) {
            ImageHeader header = ImageHeader.read(head(Fleet.esp32Image(100, 2, chips[i][0])));
            assertThat(header.format()).isEqualTo("esp32-app");
            assertThat(header.chip()).isEqualTo(names[i]);
            assertThat(header.flashSize()).isEqualTo(4L << 20);
            assertThat(header.minChipRevision()).isZero();
            assertThat(header.maxChipRevision()).isEqualTo(9999);
            assertThat(header.sha256Appended()).isTrue();
        }
        assertThat(ImageHeader.chipName("esp32s3")).isEqualTo("ESP32-S3");
        assertThat(ImageHeader.read(head(Fleet.esp32Image(100, 2, 9))).describe())
                .isEqualTo("an ESP32-S3 application image (built for 4 MB of flash)");
    }

    @Test
    void gzipIsAnEsp8266Image() {
        ImageHeader header = ImageHeader.read(new byte[] { 0x1f, (byte) 0x8b, 8, 0 });
        assertThat(header.format()).isEqualTo("gzip");
        assertThat(header.chip()).isEqualTo("esp8266");
        assertThat(header.flashSize()).isNull();
    }

    @Test
    void whatNoDeviceWouldTakeIsRefusedSayingWhatItIs() {
        assertThatThrownBy(() -> ImageHeader.read("<html>".getBytes())).hasMessageContaining("starts with 0x3c");
        byte[] unknownChip = Fleet.esp32Image(100, 3, 77);
        assertThatThrownBy(() -> ImageHeader.read(head(unknownChip))).hasMessageContaining("chip id 77");
        byte[] tooShort = Arrays.copyOf(Fleet.esp32Image(100, 3, 0), 10);
        assertThatThrownBy(() -> ImageHeader.read(tooShort)).hasMessageContaining("ends inside its header");
        assertThatThrownBy(() -> ImageHeader.read(new byte[0])).hasMessageContaining("empty");
    }

    private static byte[] head(byte[] image) {
        return Arrays.copyOf(image, ImageHeader.LENGTH);
    }
}
