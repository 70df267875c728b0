package dev.firmament.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The packaged jar as a separate process, for the integration tests that treat it as users do. */
public final class PackagedApp {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PackagedApp() {
    }

    /** Starts the jar in {@code workDir} with only {@code extraEnv} (no inherited Quarkus or Firmament settings). */
    public static Process start(Path workDir, int port, Map<String, String> extraEnv, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString()).directory(workDir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("QUARKUS_") || key.startsWith("FIRMAMENT_"));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.putAll(extraEnv);
        return builder.start();
    }

    public static void awaitReady(Process app, int port, Duration timeout, Path log) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            assertThat(app.isAlive()).as("the app exited; see " + log).isTrue();
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep waiting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Not ready within " + timeout + "; see " + log);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
