package dev.firmament.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.testing.Fleet;

/** What the activity writer promises when several writers (replicas) write the same devices at the same moments. */
@QuarkusTest
class DeviceActivityStoreTest {

    @Inject
    Fleet fleet;

    @Inject
    DeviceActivityStore store;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    DeviceService devices;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    /**
     * Each batch changes a random half of the devices and only sees the other half, so that every two batches lock the
     * same rows in different orders (registering changes, then marking the rest seen): without the tenant's activity
     * lock, PostgreSQL detects deadlocks here within a few rounds.
     */
    @Test
    void writersOfTheSameDevicesTakeTurnsInsteadOfDeadlocking() throws Exception {
        String tenant = fleet.tenant("SONOFF_BASIC").id.toString();
        List<String> macs = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            macs.add(String.format("5C:CF:7F:00:%02X:%02X", i / 256, i % 256));
        }
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS); // as PostgreSQL keeps it
        store.write(tenant, batch(tenant, macs, new Random(0), start, 0), null);
        long deadlocksBefore = deadlocks();

        int writers = 4;
        int rounds = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int writer = 0; writer < writers; writer++) {
                int w = writer;
                all.add(CompletableFuture.runAsync(() -> {
                    Random random = new Random(w + 1);
                    for (int round = 1; round <= rounds; round++) {
                        try {
                            // No retry here: a deadlock would surface as the write's failure.
                            store.write(tenant, batch(tenant, macs, random, start, round), null);
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdown();
        }

        assertThat(deadlocks() - deadlocksBefore).as("deadlocks PostgreSQL detected").isZero();
        try (var c = dataSource.getConnection();
                var count = c.prepareStatement("select count(*), min(last_seen) from devices where tenant_id = ?")) {
            count.setString(1, tenant);
            try (var rs = count.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(macs.size());
                assertThat(rs.getTimestamp(2).toInstant()).as("every device was last seen in the last round")
                        .isEqualTo(start.plusSeconds(rounds));
            }
        }
    }

    /** Blocking a device writes that it is blocked, not the report it read over the check-in written meanwhile. */
    @Test
    void aPersonsChangeKeepsWhatABatchWroteMeanwhile() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String id = tenant.id.toString();
        List<String> mac = List.of("5C:CF:7F:00:10:01");
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        store.write(id, batch(id, mac, new Random(0), start, 0), null);

        tenant.as(() -> QuarkusTransaction.requiringNew().call(() -> {
            Device device = devices.find(mac.get(0)).orElseThrow();
            assertThat(device.lastSeen).isEqualTo(start);
            // A replica's batch commits while the person looks (on another thread: outside the person's transaction).
            CompletableFuture.runAsync(() -> {
                try {
                    store.write(id, batch(id, mac, new Random(0), start, 5), null);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).join();
            device.blocked = true;
            return device;
        }));

        Device after = tenant.as(() -> devices.find(mac.get(0)).orElseThrow());
        assertThat(after.blocked).isTrue();
        assertThat(after.lastSeen).isEqualTo(start.plusSeconds(5));
    }

    /** What reached the database is counted once, also when a journal entry is replayed after it was committed. */
    @Test
    void recordedActivityIsCountedOnceWhenItCommits() throws Exception {
        fleet.flushActivity(); // nothing of earlier tests is still on its way
        String tenant = fleet.tenant("SONOFF_BASIC").id.toString();
        List<String> macs = List.of("5C:CF:7F:00:20:01", "5C:CF:7F:00:20:02", "5C:CF:7F:00:20:03");
        var recorded = meters.get("firmament.devices.activity.recorded").tag("kind", "checkin").counter();
        double before = recorded.count();
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        String entry = java.util.UUID.randomUUID().toString();
        store.write(tenant, batch(tenant, macs, new Random(0), start, 0), entry);
        store.write(tenant, batch(tenant, macs, new Random(0), start, 0), entry); // the replay after a crash
        assertThat(recorded.count() - before).isEqualTo(3);
    }

    /** Every device checks in; a random half reports a new address (changed), the others what they reported last. */
    private static List<Object> batch(String tenant, List<String> macs, Random random, Instant start, int round) {
        List<Object> checkIns = new ArrayList<>();
        for (String mac : macs) {
            String ip = random.nextBoolean() ? "10.0." + round + ".1" : "10.0.0.1";
            DeviceReport report = new DeviceReport(DeviceReport.Client.ESP8266, mac, DeviceReport.Mode.FIRMWARE,
                    "SONOFF_BASIC", "1.0.0", "0123456789abcdef0123456789abcdef", 500_000L, 300_000L, 1_048_576L, null,
                    "2.2.2-dev", null, ip);
            checkIns.add(
                    new CheckIn(
                            tenant, report, null, null, new Decision(Decision.Outcome.NONE,
                                    Decision.Reason.ALREADY_RUNNING, null, null, Decision.Source.NONE, null),
                            start.plusSeconds(round)));
        }
        return checkIns;
    }

    private long deadlocks() throws Exception {
        try (var c = dataSource.getConnection(); var s = c.createStatement();
                var rs = s.executeQuery("select deadlocks from pg_stat_database where datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
