package dev.firmament.targeting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.release.Release;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;

/** A change committed by another replica reaches this replica's snapshot through LISTEN/NOTIFY. */
@QuarkusTest
class FleetChangeListenerTest {

    @Inject
    Fleet fleet;

    @Inject
    TargetingSnapshots snapshots;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void pinWrittenElsewhereIsSeenWithinASecond() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        Release release = tenant.release("3.0.0", Fleet.espImage(1000, 5), null);
        String mac = "AA:BB:CC:00:11:22";
        assertThat(snapshots.forTenant(tenant.id.toString()).pin(mac)).isNull();

        // What another replica's PinService does: the row and the notification, in one transaction.
        try (var c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var insert = c.prepareStatement("insert into pins (tenant_id, mac, release_id) values (?, ?, ?)");
                    var notify = c.prepareStatement("select pg_notify(?, ?)")) {
                insert.setString(1, tenant.id.toString());
                insert.setString(2, mac);
                insert.setLong(3, release.id);
                insert.execute();
                notify.setString(1, FleetChanges.CHANNEL);
                notify.setString(2, tenant.id.toString());
                notify.execute();
            }
            c.commit();
        }

        TargetingSnapshot.PinEntry pin = Eventually.await("the NOTIFY to reach the snapshot", Duration.ofSeconds(5),
                () -> snapshots.forTenant(tenant.id.toString()).pin(mac), java.util.Objects::nonNull);
        assertThat(pin).extracting(TargetingSnapshot.PinEntry::releaseId).isEqualTo(release.id);
    }

    @Test
    void serviceChangesAreVisibleToTheWriterImmediately() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        Release release = tenant.release("3.0.0", Fleet.espImage(1000, 5), null);

        tenant.pin("AA:BB:CC:00:11:33", release, false);

        assertThat(snapshots.forTenant(tenant.id.toString()).pin("AA:BB:CC:00:11:33")).isNotNull();
    }
}
