package dev.firmament.device;

import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps a monthly partition of {@code device_events} ready for this month and the next two, so that retention is
 * dropping a partition. Idempotent: several replicas may run it at once.
 */
@ApplicationScoped
public class DeviceEventPartitions {

    private static final Logger LOG = Logger.getLogger(DeviceEventPartitions.class);

    private final AgroalDataSource dataSource;

    DeviceEventPartitions(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void onStart(@Observes StartupEvent event) {
        ensureUpcoming();
    }

    @Scheduled(cron = "0 17 3 * * ?", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void daily() {
        ensureUpcoming();
    }

    void ensureUpcoming() {
        YearMonth month = YearMonth.from(LocalDate.now(ZoneOffset.UTC));
        for (int i = 0; i < 3; i++) {
            ensure(month.plusMonths(i));
        }
    }

    private void ensure(YearMonth month) {
        String name = String.format("device_events_y%04dm%02d", month.getYear(), month.getMonthValue());
        String sql = "create table if not exists " + name + " partition of device_events for values from ('"
                + month.atDay(1) + "') to ('" + month.plusMonths(1).atDay(1) + "')";
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            // Another replica created it first, or rows of that month already sit in the default partition.
            LOG.debugf(e, "Partition %s not created", name);
        }
    }
}
