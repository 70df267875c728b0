package dev.firmament.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Application;

/**
 * Decides, before Quarkus starts, whether Firmament runs on the embedded PostgreSQL server, and stops that server only
 * after the application has stopped (so a graceful shutdown can still flush to the database).
 *
 * <p>
 * Runs before the configuration system exists, so it reads the few keys it needs from system properties and environment
 * variables, under the names Quarkus itself uses for them.
 */
public final class EmbeddedDatabaseLauncher {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabaseLauncher.class);

    static final String DATASOURCE_URL = "quarkus.datasource.jdbc.url";
    static final String DATA_DIR = "firmament.data-dir";
    static final String ENABLED = "firmament.embedded-database.enabled";
    static final String PORT = "firmament.embedded-database.port";
    static final String DEFAULT_DATA_DIR = "firmament-data";

    private static EmbeddedPostgres server;

    private EmbeddedDatabaseLauncher() {
    }

    /** Starts the embedded server unless a datasource URL is configured or the embedded database is disabled. */
    public static synchronized void startIfNoDatabaseConfigured() {
        if (server != null) {
            return; // dev mode calls main again on every live reload; the server keeps running
        }
        if (setting(DATASOURCE_URL).isPresent()) {
            LOG.debug("A datasource URL is configured; the embedded PostgreSQL server stays off");
            return;
        }
        if (setting(ENABLED).map(value -> value.equalsIgnoreCase("false")).orElse(false)) {
            LOG.info("The embedded PostgreSQL server is disabled; Quarkus Dev Services or your configuration must"
                    + " provide the database");
            return;
        }
        Path dataDir = Path.of(setting(DATA_DIR).orElse(DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
        System.setProperty(DATA_DIR, dataDir.toString());
        int port = setting(PORT).map(Integer::parseInt).orElse(0);
        try {
            server = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(dataDir.resolve("postgres"), port,
                    "firmament", true, Duration.ofSeconds(60)));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL server in " + dataDir, e);
        }
        server.supervise(Duration.ofSeconds(2));
        System.setProperty(DATASOURCE_URL, server.jdbcUrl());
        System.setProperty("quarkus.datasource.username", server.username());
        System.setProperty("quarkus.datasource.password", server.password());

        EmbeddedPostgres started = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            awaitApplicationStopped();
            started.close();
        }, "embedded-postgres-stop"));
    }

    /**
     * Quarkus stops the application from its own shutdown hook, in parallel with this one; the database must outlive it
     * so that a graceful shutdown can still write. Bounded, in case the application never started.
     */
    private static void awaitApplicationStopped() {
        Application application = Application.currentApplication();
        if (application == null) {
            return;
        }
        try {
            CompletableFuture.runAsync(application::awaitShutdown).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Stopping the embedded PostgreSQL server before the application finished stopping", e);
        }
    }

    /** A setting from a system property, or from the environment variable Quarkus derives from the same key. */
    static Optional<String> setting(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            value = System.getenv(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }
}
