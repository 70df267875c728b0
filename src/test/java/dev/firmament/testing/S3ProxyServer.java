package dev.firmament.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A real S3-compatible server (S3Proxy, copied to {@code target/test-services} by the build) in its own JVM on a free
 * loopback port, checking request signatures like S3 does.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "firmament-test";

    private final Process process;
    private final int port;
    private final String secretKey;

    private S3ProxyServer(Process process, int port, String secretKey) {
        this.process = process;
        this.port = port;
        this.secretKey = secretKey;
    }

    public static S3ProxyServer start() {
        try {
            Path jar = Path.of("target", "test-services", "s3proxy.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: run the tests through Maven (mvn verify)");
            }
            Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "s3proxy")), "run-");
            int port = freePort();
            String secret = UUID.randomUUID().toString();
            Properties properties = new Properties();
            properties.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
            properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            properties.setProperty("s3proxy.identity", ACCESS_KEY);
            properties.setProperty("s3proxy.credential", secret);
            // In-memory blobs: the jclouds filesystem backend mis-lists keys below a prefix.
            properties.setProperty("jclouds.provider", "transient");
            Path config = work.resolve("s3proxy.properties");
            try (var out = Files.newBufferedWriter(config)) {
                properties.store(out, "S3Proxy for Firmament tests");
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(
                    List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties", config.toString()))
                            .redirectErrorStream(true).redirectOutput(work.resolve("s3proxy.log").toFile()).start();
            S3ProxyServer server = new S3ProxyServer(process, port, secret);
            server.awaitListening(Duration.ofSeconds(60), work.resolve("s3proxy.log"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Freezes the server process (SIGSTOP): it keeps its port and accepts connections, and answers nothing. */
    public void freeze() {
        signal("STOP");
    }

    /** Lets a frozen server run again (SIGCONT). */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.onExit().get();
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }

    private void awaitListening(Duration timeout, Path log) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited; see " + log);
            }
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        close();
        throw new IllegalStateException("S3Proxy did not listen within " + timeout + "; see " + log);
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
