package dev.firmament.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/** Event retention drops whole months: the ones before the retention go, the retained ones and later stay. */
@QuarkusTest
class DeviceEventRetentionTest {

    @Inject
    DeviceEventPartitions partitions;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void monthsBeforeTheRetentionAreDroppedAndTheOthersKept() throws Exception {
        for (int month = 1; month <= 4; month++) {
            partitions.ensure(YearMonth.of(2020, month));
        }
        assertThat(partitions()).contains("device_events_y2020m01", "device_events_y2020m04");

        // Three months kept in April 2020: February, March, April.
        assertThat(partitions.dropOlderThan(3, YearMonth.of(2020, 4))).containsExactly("device_events_y2020m01");
        assertThat(partitions()).doesNotContain("device_events_y2020m01").contains("device_events_y2020m02",
                "device_events_y2020m03", "device_events_y2020m04");
        YearMonth now = YearMonth.now(java.time.ZoneOffset.UTC);
        String current = String.format("device_events_y%04dm%02d", now.getYear(), now.getMonthValue());
        assertThat(partitions()).as("this month is untouched by 2020's retention").contains(current);

        // A year kept today: every 2020 month goes, this month stays.
        assertThat(partitions.dropOlderThan(12, now)).contains("device_events_y2020m02", "device_events_y2020m04");
        assertThat(partitions()).noneMatch(name -> name.startsWith("device_events_y2020")).contains(current);
    }

    List<String> partitions() throws Exception {
        List<String> names = new ArrayList<>();
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement();
                var rows = statement.executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid ="
                        + " i.inhrelid where i.inhparent = 'device_events'::regclass")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }
}
