package dev.firmament.targeting;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.runtime.StartupEvent;

import dev.firmament.device.DeviceKeyRegistry;

/**
 * Listens on PostgreSQL's {@code LISTEN} channel for fleet changes made by any replica and rebuilds what they touch. It
 * holds one connection of its own (a pooled one would be handed back and lose the subscription); when that connection
 * breaks, it reconnects and rebuilds everything, since notifications sent meanwhile are lost.
 */
@ApplicationScoped
public class FleetChangeListener {

    private static final Logger LOG = Logger.getLogger(FleetChangeListener.class);

    private final TargetingSnapshots snapshots;
    private final DeviceKeyRegistry keys;
    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private volatile boolean running = true;
    private volatile Connection connection;
    private Thread thread;

    FleetChangeListener(TargetingSnapshots snapshots, DeviceKeyRegistry keys,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.snapshots = snapshots;
        this.keys = keys;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /** Subscribes first, then loads keys and every tenant's snapshot, so no change can fall between the two. */
    void start(@Observes StartupEvent event) {
        thread = new Thread(this::listen, "fleet-change-listener");
        thread.setDaemon(true);
        thread.start();
        try {
            keys.reload();
            snapshots.warmUp();
        } catch (SQLException e) {
            LOG.error("Could not preload device keys and snapshots; they load on first use", e);
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        Connection current = connection;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException e) {
                LOG.debug("Closing the listener connection", e);
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(200);
        boolean reconnecting = false;
        while (running) {
            try (Connection listening = DriverManager.getConnection(url, username.orElse(null),
                    password.orElse(null))) {
                connection = listening;
                try (var statement = listening.createStatement()) {
                    statement.execute("LISTEN " + FleetChanges.CHANNEL);
                }
                if (reconnecting) {
                    LOG.info("Reconnected to the fleet change channel; rebuilding all snapshots");
                    keys.reload();
                    snapshots.rebuildAllSoon();
                }
                backoff = Duration.ofMillis(200);
                PGConnection pg = listening.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            dispatch(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("Lost the fleet change channel (%s); reconnecting in %d ms", e.getMessage(),
                        backoff.toMillis());
                reconnecting = true;
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                        : backoff.multipliedBy(2);
            }
        }
    }

    private void dispatch(String payload) {
        if (FleetChanges.DEVICE_KEYS.equals(payload)) {
            try {
                keys.reload();
            } catch (SQLException e) {
                LOG.error("Could not reload device keys", e);
            }
        } else {
            snapshots.rebuildSoon(payload);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
