package dev.firmament.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.firmament.testing.Fleet;
import dev.firmament.testing.PackagedApp;
import dev.firmament.testing.PackagedAppApi;

/**
 * extras/platformio/firmament_upload.py against the packaged app, run by Python 3 as a command and as PlatformIO runs
 * an extra script (an SCons {@code env} that answers the project's options; PlatformIO itself is not needed): what it
 * uploads arrives byte-exact as a release, and a refusal fails with the server's own words.
 */
class PlatformioUploadIT {

    static final String TOKEN = "platformio-upload-it-bootstrap-token";
    static final Path HOOK = Path.of("extras", "platformio", "firmament_upload.py").toAbsolutePath();
    static final Path AS_PLATFORMIO = Path.of("src", "test", "resources", "platformio", "as_platformio.py")
            .toAbsolutePath();

    static Path workDir;
    static Process process;
    static PackagedAppApi app;
    static String url;
    static String maintainerToken;

    @BeforeAll
    static void start() throws Exception {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")), "pio-")
                .toAbsolutePath();
        int port = PackagedApp.freePort();
        url = "http://127.0.0.1:" + port;
        app = new PackagedAppApi(port, TOKEN);
        process = PackagedApp.start(workDir, port, Map.of("FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN),
                workDir.resolve("app.log"));
        PackagedApp.awaitReady(process, port, Duration.ofSeconds(60), workDir.resolve("app.log"));
        app.api().body(Map.of("slug", "acme", "name", "Acme", "owner", "owner@acme.example")).post("/api/v1/tenants")
                .then().statusCode(201);
        app.api().body(Map.of("name", "SONOFF_BASIC", "chipFamily", "esp8266")).post(path("/products")).then()
                .statusCode(201);
        maintainerToken = app.api().body(Map.of("name", "ci", "role", "maintainer")).post(path("/api-tokens")).then()
                .statusCode(201).extract().jsonPath().getString("token");
    }

    @AfterAll
    static void stop() throws Exception {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theCommandUploadsFirmwareAndFilesystemByteExact() throws Exception {
        Path build = Files.createTempDirectory(workDir, "build-");
        byte[] firmware = Fleet.espImage(40_000, 1);
        byte[] filesystem = noise(8_192, 2);
        Files.write(build.resolve("firmware.bin"), firmware);
        Files.write(build.resolve("littlefs.bin"), filesystem);

        Result result = python(Map.of("FIRMAMENT_TOKEN", maintainerToken, "FIRMAMENT_URL", url + "/"), HOOK.toString(),
                "--tenant", "acme", "--product", "SONOFF_BASIC", "--version", "1.0.0", "--notes", "from CI",
                "--firmware", build.resolve("firmware.bin").toString(), "--filesystem",
                build.resolve("littlefs.bin").toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonPath created = JsonPath.from(result.stdout());
        JsonPath stored = app.api().get(path("/releases/" + created.getLong("id"))).then().statusCode(200).extract()
                .jsonPath();
        assertThat(stored.getString("version")).isEqualTo("1.0.0");
        assertThat(stored.getString("notes")).isEqualTo("from CI");
        assertThat(stored.getString("firmware.sha256")).isEqualTo(Fleet.sha256(firmware));
        assertThat(stored.getString("firmware.image.format")).isEqualTo("esp8266-app");
        assertThat(stored.getString("filesystem.sha256")).isEqualTo(Fleet.sha256(filesystem));
    }

    @Test
    void aRefusalFailsWithTheServersMessageAndUploadsNothing() throws Exception {
        Path build = Files.createTempDirectory(workDir, "build-");
        Files.write(build.resolve("firmware.bin"), Fleet.esp32Image(30_000, 3, 9));
        int releasesBefore = app.api().get(path("/releases")).jsonPath().getList("items").size();

        Result result = python(Map.of("FIRMAMENT_TOKEN", maintainerToken, "FIRMAMENT_URL", url), HOOK.toString(),
                "--tenant", "acme", "--product", "SONOFF_BASIC", "--version", "9.9.9", "--firmware",
                build.resolve("firmware.bin").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("Firmament refused the upload: 400 invalid-image").contains("ESP32-S3");
        assertThat(app.api().get(path("/releases")).jsonPath().getList("items")).hasSize(releasesBefore);

        Result badToken = python(Map.of("FIRMAMENT_TOKEN", "fmt_not-a-token", "FIRMAMENT_URL", url), HOOK.toString(),
                "--tenant", "acme", "--product", "SONOFF_BASIC", "--version", "9.9.9", "--firmware",
                build.resolve("firmware.bin").toString());
        assertThat(badToken.exitCode()).isEqualTo(1);
        assertThat(badToken.stderr()).contains("401");

        Result missing = python(Map.of("FIRMAMENT_TOKEN", maintainerToken, "FIRMAMENT_URL", url), HOOK.toString(),
                "--tenant", "acme", "--product", "SONOFF_BASIC", "--version", "9.9.9", "--firmware",
                build.resolve("nothing-here.bin").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("cannot read").contains("nothing-here.bin").doesNotContain("Traceback");
    }

    @Test
    void asAPlatformioHookItUploadsAfterTheBuildAndFailsTheBuildOnARefusal() throws Exception {
        Path build = Files.createTempDirectory(workDir, "build-");
        byte[] firmware = Fleet.espImage(20_000, 4);
        byte[] filesystem = noise(4_096, 5);
        Files.write(build.resolve("firmware.bin"), firmware);
        Files.write(build.resolve("spiffs.bin"), filesystem);
        String options = "{\"custom_firmament_url\": \"" + url + "\", \"custom_firmament_tenant\": \"acme\","
                + " \"custom_firmament_product\": \"SONOFF_BASIC\"}";
        // PlatformIO turns build_flags = -D FIRMWARE_VERSION=\"2.0.0\" into this define.
        String defines = "[[\"FIRMWARE_VERSION\", \"\\\\\\\"2.0.0\\\\\\\"\"], \"ARDUINO_SIGNING\"]";

        Result withoutToken = python(Map.of(), AS_PLATFORMIO.toString(), HOOK.toString(), build.toString(),
                build.resolve("firmware.bin").toString(), options, defines);
        assertThat(withoutToken.exitCode()).as(withoutToken.toString()).isZero();
        assertThat(withoutToken.stdout()).contains("FIRMAMENT_TOKEN is not set, not uploading");
        assertThat(app.api().get(path("/releases")).jsonPath().getList("items.version")).doesNotContain("2.0.0");

        Result uploaded = python(Map.of("FIRMAMENT_TOKEN", maintainerToken), AS_PLATFORMIO.toString(), HOOK.toString(),
                build.toString(), build.resolve("firmware.bin").toString(), options, defines);
        assertThat(uploaded.exitCode()).as(uploaded.toString()).isZero();
        assertThat(uploaded.stdout()).contains("SONOFF_BASIC 2.0.0 uploaded as release");
        JsonPath release = app.api().get(path("/releases")).jsonPath();
        assertThat(release.getString("items.find { it.version == '2.0.0' }.firmware.sha256"))
                .isEqualTo(Fleet.sha256(firmware));
        assertThat(release.getString("items.find { it.version == '2.0.0' }.filesystem.sha256"))
                .isEqualTo(Fleet.sha256(filesystem));

        Result again = python(Map.of("FIRMAMENT_TOKEN", maintainerToken), AS_PLATFORMIO.toString(), HOOK.toString(),
                build.toString(), build.resolve("firmware.bin").toString(), options, defines);
        assertThat(again.exitCode()).as("the build fails").isEqualTo(1);
        assertThat(again.stderr()).contains("409 release-exists");

        Result unconfigured = python(Map.of("FIRMAMENT_TOKEN", maintainerToken), AS_PLATFORMIO.toString(),
                HOOK.toString(), build.toString(), build.resolve("firmware.bin").toString(), "{}", "[]");
        assertThat(unconfigured.exitCode()).isEqualTo(1);
        assertThat(unconfigured.stderr()).contains("custom_firmament_url (or FIRMAMENT_URL)")
                .contains("custom_firmament_version (or FIRMAMENT_VERSION)");
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result python(Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("FIRMAMENT_"));
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().putAll(environment);
        Path out = Files.createTempFile(workDir, "python-", ".out");
        Path err = Files.createTempFile(workDir, "python-", ".err");
        Process python = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).as("python finished").isTrue();
        return new Result(python.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static byte[] noise(int size, int seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String path(String suffix) {
        return "/api/v1/tenants/acme" + suffix;
    }
}
