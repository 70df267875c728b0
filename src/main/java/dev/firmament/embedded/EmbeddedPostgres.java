package dev.firmament.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;
import org.tukaani.xz.XZInputStream;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;

/**
 * A real PostgreSQL server run from the binaries zonky ships in a Maven artifact, owned by this JVM.
 *
 * <p>
 * zonky's own {@code EmbeddedPostgres} is built for throw-away test databases: it turns fsync and synchronous commit
 * off, trusts every local connection, deletes "stale" directories beside the data directory and stops the server from
 * its own shutdown hook while the application may still be flushing. This class keeps only zonky's binaries and runs
 * {@code initdb}/{@code pg_ctl} itself, so that the application decides when the server stops, the data is durable, and
 * connections need a password.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class);
    private static final String SUPERUSER = "postgres";

    private final Settings settings;
    private final Path binaries;
    private final Path pgData;
    private final int port;
    private final String password;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean stopped;
    private Thread supervisor;

    /** How to run the server; {@link #durable()} is false only for throw-away test databases. */
    public record Settings(Path baseDirectory, int port, String database, boolean durable, Duration startTimeout) {
        public Settings {
            baseDirectory = baseDirectory.toAbsolutePath().normalize();
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
        }
    }

    private EmbeddedPostgres(Settings settings, Path binaries, int port, String password, FileChannel lockChannel,
            FileLock lock) {
        this.settings = settings;
        this.binaries = binaries;
        this.pgData = settings.baseDirectory().resolve("data");
        this.port = port;
        this.password = password;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Starts the server in {@code settings.baseDirectory()}, creating the cluster and the database on first use and
     * stopping a server orphaned by a killed JVM.
     */
    public static EmbeddedPostgres start(Settings settings) throws IOException {
        Path base = settings.baseDirectory();
        Files.createDirectories(base);
        FileChannel lockChannel = FileChannel.open(base.resolve("firmament.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("Another Firmament process is using the embedded database in " + base
                    + "; stop it or choose another data directory (firmament.data-dir)");
        }
        try {
            Path binaries = PostgresBinaries.unpack(base.resolve("binaries"));
            int port = settings.port() == 0 ? freePort() : settings.port();
            String password = passwordIn(base.resolve("superuser.password"));
            EmbeddedPostgres server = new EmbeddedPostgres(settings, binaries, port, password, lockChannel, lock);
            server.initializeClusterIfMissing();
            server.stopOrphanedServer();
            server.startServer();
            server.createDatabaseIfMissing();
            return server;
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + settings.database();
    }

    public String username() {
        return SUPERUSER;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /**
     * Watches the server every {@code interval} and starts it again if it died (killed, out of memory, a crash), with a
     * backoff from {@code interval} up to a minute while it keeps failing. Meanwhile the application answers devices
     * from memory and journals their activity; it reconnects by itself once the server is back.
     */
    public synchronized void supervise(Duration interval) {
        if (supervisor != null) {
            return;
        }
        supervisor = new Thread(() -> superviseEvery(interval), "embedded-postgres-supervisor");
        supervisor.setDaemon(true);
        supervisor.start();
    }

    private void superviseEvery(Duration interval) {
        long backoff = interval.toMillis();
        while (true) {
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (stopped) {
                    return;
                }
                if (postmaster().isPresent()) {
                    backoff = interval.toMillis();
                    continue;
                }
                LOG.warnf("The embedded PostgreSQL server in %s is not running (see %s); starting it again", pgData,
                        settings.baseDirectory().resolve("postgres.log"));
                try {
                    startServer();
                    LOG.infof("The embedded PostgreSQL server is back on port %d", port);
                    backoff = interval.toMillis();
                } catch (RuntimeException e) {
                    backoff = Math.min(60_000, backoff * 2);
                    LOG.errorf("Could not start the embedded PostgreSQL server again (trying again in %d s): %s",
                            backoff / 1000, e.getMessage());
                }
            }
        }
    }

    /** The live postmaster of this data directory, read from its pid file. */
    Optional<ProcessHandle> postmaster() {
        try {
            Path pidFile = pgData.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            return Files.readAllLines(pidFile).stream().findFirst().map(String::trim).filter(s -> s.matches("\\d+"))
                    .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid))).filter(ProcessHandle::isAlive)
                    .filter(handle -> !zombie(handle.pid()));
        } catch (IOException e) {
            return Optional.empty(); // being rewritten by a starting server
        }
    }

    /**
     * A postmaster killed in a container whose first process reaps nothing stays a zombie, which {@code isAlive} still
     * counts as alive.
     */
    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc: trust isAlive
        }
    }

    /** Stops the server (fast shutdown: sessions end, committed data stays) and releases the data directory. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (supervisor != null) {
            supervisor.interrupt();
        }
        try {
            pgCtl("stop", "-m", "fast", "-w", "-t", "30");
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not stop the embedded PostgreSQL server in %s", pgData);
        } finally {
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                LOG.debugf(e, "Releasing %s", settings.baseDirectory());
            }
        }
    }

    /**
     * Releases the data directory without stopping the server: what a JVM killed with SIGKILL leaves behind. Only for
     * tests of orphan recovery.
     */
    void abandon() throws IOException {
        stopped = true;
        lock.release();
        lockChannel.close();
    }

    private void initializeClusterIfMissing() throws IOException {
        if (Files.exists(pgData.resolve("PG_VERSION"))) {
            return;
        }
        // A half-finished initdb (killed mid-way) leaves a directory initdb refuses to reuse.
        deleteRecursively(pgData);
        Path passwordFile = Files.createTempFile(settings.baseDirectory(), "pw", ".tmp");
        try {
            Files.writeString(passwordFile, password);
            run(List.of(bin("initdb"), "-D", pgData.toString(), "-U", SUPERUSER, "--pwfile=" + passwordFile,
                    "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C"), Duration.ofMinutes(2));
        } finally {
            Files.deleteIfExists(passwordFile);
        }
        LOG.infof("Created a new PostgreSQL cluster in %s", pgData);
    }

    /**
     * A JVM killed with SIGKILL leaves its postmaster running with the data directory. We hold the directory lock, so
     * no live Firmament owns that server: stop it before starting ours.
     */
    private void stopOrphanedServer() throws IOException {
        Optional<ProcessHandle> postmaster = postmaster();
        if (postmaster.isEmpty()) {
            return; // a stale pid file alone is handled by PostgreSQL itself
        }
        LOG.warnf("Stopping an orphaned PostgreSQL server (pid %d) left in %s by a previous run",
                postmaster.get().pid(), pgData);
        try {
            pgCtl("stop", "-m", "fast", "-w", "-t", "30");
        } catch (RuntimeException e) {
            postmaster.get().destroy();
            postmaster.get().onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    private void startServer() {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("port", Integer.toString(port));
        config.put("listen_addresses", "127.0.0.1");
        config.put("unix_socket_directories", "''");
        config.put("timezone", "UTC");
        config.put("max_connections", "100");
        config.put("fsync", settings.durable() ? "on" : "off");
        config.put("synchronous_commit", settings.durable() ? "on" : "off");
        config.put("full_page_writes", settings.durable() ? "on" : "off");
        StringBuilder options = new StringBuilder();
        config.forEach((key, value) -> options.append(" -c ").append(key).append('=').append(value));
        long timeout = Math.max(1, settings.startTimeout().toSeconds());
        pgCtl("start", "-w", "-t", Long.toString(timeout), "-l",
                settings.baseDirectory().resolve("postgres.log").toString(), "-o", options.toString().trim());
        LOG.infof("Embedded PostgreSQL is listening on 127.0.0.1:%d (data in %s)", port, pgData);
    }

    private void createDatabaseIfMissing() throws IOException {
        String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection connection = DriverManager.getConnection(adminUrl, SUPERUSER, password);
                var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, settings.database());
            if (!exists.executeQuery().next()) {
                try (var create = connection.createStatement()) {
                    create.execute("create database \"" + settings.database().replace("\"", "\"\"") + "\"");
                }
            }
        } catch (SQLException e) {
            throw new IOException("Could not prepare database " + settings.database(), e);
        }
    }

    private void pgCtl(String action, String... arguments) {
        List<String> command = new ArrayList<>(List.of(bin("pg_ctl"), action, "-D", pgData.toString()));
        command.addAll(List.of(arguments));
        run(command, Duration.ofMinutes(2));
    }

    private String bin(String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }

    private void run(List<String> command, Duration timeout) {
        Path log = settings.baseDirectory().resolve("postgres-tools.log");
        List<String> fullCommand = new ArrayList<>(command);
        if (RunningAsRoot.DETECTED) {
            // PostgreSQL refuses to run as root; in a user namespace of its own it sees an unprivileged user.
            fullCommand.addAll(0, List.of("unshare", "-U"));
        }
        try {
            Process process = new ProcessBuilder(fullCommand).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .directory(settings.baseDirectory().toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeout + "; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command.subList(0, 2)) + " failed with exit code " + process.exitValue()
                                + "; see " + log + " and " + settings.baseDirectory().resolve("postgres.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    /** Whether this JVM runs as root, read once from {@code /proc/self/status}. */
    private static final class RunningAsRoot {
        static final boolean DETECTED = detect();

        private static boolean detect() {
            try {
                return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                        .findFirst().map(l -> l.split("\\s+")[2].equals("0")).orElse(false);
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static String passwordIn(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password, StandardCharsets.UTF_8);
        return password;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Unpacks zonky's PostgreSQL archive once per data directory; a marker file makes the unpack atomic. */
    static final class PostgresBinaries {

        private PostgresBinaries() {
        }

        static Path unpack(Path target) throws IOException {
            Path complete = target.resolve(".complete");
            if (Files.exists(complete)) {
                return target;
            }
            deleteRecursively(target);
            Path staging = Files.createTempDirectory(target.getParent(), "binaries-");
            try (InputStream archive = archive(System.getProperty("os.arch"));
                    TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path path = staging.resolve(entry.getName()).normalize();
                    if (!path.startsWith(staging)) {
                        throw new IOException("Archive entry escapes its directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(path.getParent());
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0 || entry.getName().contains("bin/")) {
                            path.toFile().setExecutable(true, false);
                        }
                    }
                }
            }
            Files.createFile(staging.resolve(".complete"));
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target);
            }
            return target;
        }

        /**
         * zonky's archive for the JVM's {@code os.arch}: the linux-amd64 and linux-arm64v8 artifacts are bundled
         * (x86-64 servers; Graviton, Apple silicon under a Linux VM, Raspberry Pi 4/5 with a 64-bit OS).
         */
        static InputStream archive(String osArch) throws IOException {
            String architecture = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> osArch;
            };
            try {
                return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", architecture);
            } catch (IllegalStateException missing) {
                throw new IllegalStateException("The embedded PostgreSQL server has no binaries for " + osArch
                        + " (only x86-64 and arm64 are bundled); set QUARKUS_DATASOURCE_JDBC_URL to use your own"
                        + " PostgreSQL", missing);
            }
        }
    }
}
