package dev.firmament.device;

import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps a monthly partition of {@code device_events} ready for this month and the next two, and, with
 * {@code firmament.devices.event-retention-months} set, drops the months before the retention: retention is dropping a
 * partition. Idempotent: several replicas may run it at once.
 */
@ApplicationScoped
public class DeviceEventPartitions {

    private static final Logger LOG = Logger.getLogger(DeviceEventPartitions.class);

    private static final Pattern PARTITION = Pattern.compile("device_events_y(\\d{4})m(\\d{2})");

    private final AgroalDataSource dataSource;
    private final Optional<Integer> retentionMonths;

    DeviceEventPartitions(AgroalDataSource dataSource, DevicesConfig config) {
        Optional<Integer> retentionMonths = config.eventRetentionMonths();
        this.dataSource = dataSource;
        this.retentionMonths = retentionMonths;
        if (retentionMonths.filter(months -> months < 1).isPresent()) {
            throw new IllegalArgumentException("firmament.devices.event-retention-months is 1 or more (months of"
                    + " device events to keep), was " + retentionMonths.get());
        }
    }

    void onStart(@Observes StartupEvent event) {
        daily();
    }

    @Scheduled(cron = "0 17 3 * * ?", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void daily() {
        ensureUpcoming();
        retentionMonths.ifPresent(months -> dropOlderThan(months, YearMonth.now(ZoneOffset.UTC)));
    }

    /**
     * Drops the monthly partitions before the last {@code months} months (this one included): retention without
     * deleting rows one by one. Returns the partitions dropped.
     */
    List<String> dropOlderThan(int months, YearMonth now) {
        YearMonth oldestKept = now.minusMonths(months - 1L);
        List<String> dropped = new ArrayList<>();
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            List<String> partitions = new ArrayList<>();
            try (var rows = statement.executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid ="
                    + " i.inhrelid where i.inhparent = 'device_events'::regclass")) {
                while (rows.next()) {
                    partitions.add(rows.getString(1));
                }
            }
            for (String partition : partitions) {
                Matcher month = PARTITION.matcher(partition);
                if (month.matches() && YearMonth.of(Integer.parseInt(month.group(1)), Integer.parseInt(month.group(2)))
                        .isBefore(oldestKept)) {
                    statement.execute("drop table if exists " + partition);
                    dropped.add(partition);
                    LOG.infof("Dropped device events of %s (retention: %d months)", partition, months);
                }
            }
        } catch (SQLException e) {
            LOG.errorf(e, "Could not drop device events older than %d months", months);
        }
        return dropped;
    }

    void ensureUpcoming() {
        YearMonth month = YearMonth.from(LocalDate.now(ZoneOffset.UTC));
        for (int i = 0; i < 3; i++) {
            ensure(month.plusMonths(i));
        }
    }

    void ensure(YearMonth month) {
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
