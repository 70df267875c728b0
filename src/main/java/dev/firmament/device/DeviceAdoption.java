package dev.firmament.device;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

import dev.firmament.errors.InvalidInputException;
import dev.firmament.tenant.TenantContext;

/**
 * Adoption over time, the owner of {@code device_adoption_daily}: per tenant and UTC day, the devices that checked in
 * that day by product, the version they last reported and group (group 0 is the whole fleet). Today's rows are
 * recomputed from the registry every {@code firmament.devices.adoption-interval}; when a day is over its rows stay as
 * last computed, so a device seen only in the day's last interval counts to the next day instead. Kept as long as the
 * device events ({@code firmament.devices.event-retention-months}).
 */
@ApplicationScoped
public class DeviceAdoption {

    private static final Logger LOG = Logger.getLogger(DeviceAdoption.class);

    /** The product of devices whose product is unknown. */
    static final UUID NO_PRODUCT = new UUID(0, 0);

    /** The longest range one request may read. */
    public static final int MAX_DAYS = 400;

    private final EntityManager entityManager;
    private final TenantContext tenants;
    private final InstantSource clock;
    private final Optional<Integer> retentionMonths;

    DeviceAdoption(EntityManager entityManager, TenantContext tenants, InstantSource clock, DevicesConfig config) {
        this.entityManager = entityManager;
        this.tenants = tenants;
        this.clock = clock;
        this.retentionMonths = config.eventRetentionMonths();
    }

    @Scheduled(every = "${firmament.devices.adoption-interval}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            rollUp();
        } catch (RuntimeException e) {
            // The next run recomputes the whole day: nothing is lost but this run's freshness.
            LOG.warnf("Could not roll up today's adoption counts: %s", e.toString());
        }
    }

    /** Recomputes today's counts of every tenant from the registry, and lets go of days past the retention. */
    @Transactional
    public void rollUp() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Instant start = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = start.plusSeconds(86_400);
        // Replicas may run this at once; each replaces the day as a whole, so the last one to commit wins, whole.
        entityManager.createNativeQuery("select pg_advisory_xact_lock(hashtext('device_adoption_daily'))")
                .getSingleResult();
        entityManager.createNativeQuery("delete from device_adoption_daily where day = ?1")
                .setParameter(1, Date.valueOf(today)).executeUpdate();
        String seenToday = " from devices d where d.seen_window >= ?2 and d.last_seen >= ?2 and d.last_seen < ?3";
        String product = "coalesce(d.assigned_product_id, d.product_id, cast(?4 as uuid))";
        entityManager.createNativeQuery("insert into device_adoption_daily (tenant_id, day, product_id, version,"
                + " group_id, devices) select d.tenant_id, cast(?1 as date), " + product
                + ", coalesce(d.version, ''), 0, count(*)" + seenToday
                + " group by 1, 3, 4 union all select d.tenant_id, cast(?1 as date), " + product
                + ", coalesce(d.version, ''), m.group_id, count(*)"
                + seenToday.replace(" from devices d",
                        " from devices d join mac_group_members m on m.tenant_id = d.tenant_id and m.mac = d.mac")
                + " group by 1, 3, 4, 5").setParameter(1, Date.valueOf(today)).setParameter(2, Timestamp.from(start))
                .setParameter(3, Timestamp.from(end)).setParameter(4, NO_PRODUCT.toString()).executeUpdate();
        retentionMonths.ifPresent(months -> entityManager
                .createNativeQuery("delete from device_adoption_daily where day < ?1")
                .setParameter(1, Date.valueOf(today.withDayOfMonth(1).minusMonths(months - 1L))).executeUpdate());
    }

    /** One day: the devices seen, by the version they last reported. */
    public record Day(LocalDate day, long devices, Map<String, Long> versions) {
    }

    /**
     * The last {@code days} days up to today, oldest first, every day present (empty ones too): devices of
     * {@code productId} (null: all products) in group {@code group} (null: the whole fleet), by version.
     */
    @Transactional
    public List<Day> byVersion(UUID productId, Long group, int days) {
        LocalDate today = requireRange(days);
        Map<LocalDate, Map<String, Long>> counts = new TreeMap<>();
        for (int i = days - 1; i >= 0; i--) {
            counts.put(today.minusDays(i), new TreeMap<>());
        }
        var query = entityManager
                .createNativeQuery("select day, version, sum(devices) from device_adoption_daily"
                        + " where tenant_id = ?1 and day > ?2 and day <= ?3 and group_id = ?4"
                        + (productId == null ? "" : " and product_id = ?5") + " group by 1, 2")
                .setParameter(1, tenants.require().toString()).setParameter(2, Date.valueOf(today.minusDays(days)))
                .setParameter(3, Date.valueOf(today)).setParameter(4, group == null ? 0L : group);
        if (productId != null) {
            query.setParameter(5, productId);
        }
        List<?> rows = query.getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            counts.get(day(r[0])).put((String) r[1], ((Number) r[2]).longValue());
        }
        List<Day> series = new ArrayList<>();
        counts.forEach((day, versions) -> series
                .add(new Day(day, versions.values().stream().mapToLong(Long::longValue).sum(), Map.copyOf(versions))));
        return series;
    }

    /** How far one version has spread in one group: per day, the devices on it among those seen. */
    public record Spread(long group, List<Share> days) {
    }

    /** One day of a {@link Spread}. */
    public record Share(LocalDate day, long onVersion, long devices) {
    }

    /**
     * "2.1.0 over the last 30 days, per group": for the whole fleet (group 0) and each group, per day, the devices of
     * {@code productId} that ran {@code version} among those seen.
     */
    @Transactional
    public List<Spread> spread(UUID productId, String version, int days) {
        LocalDate today = requireRange(days);
        Map<Long, Map<LocalDate, long[]>> byGroup = new LinkedHashMap<>();
        List<?> rows = entityManager.createNativeQuery("select group_id, day, sum(devices) filter (where version = ?4),"
                + " sum(devices) from device_adoption_daily where tenant_id = ?1 and product_id = ?5 and day > ?2"
                + " and day <= ?3 group by 1, 2 order by 1, 2").setParameter(1, tenants.require().toString())
                .setParameter(2, Date.valueOf(today.minusDays(days))).setParameter(3, Date.valueOf(today))
                .setParameter(4, version).setParameter(5, productId).getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            byGroup.computeIfAbsent(((Number) r[0]).longValue(), g -> new TreeMap<>()).put(day(r[1]),
                    new long[] { r[2] == null ? 0 : ((Number) r[2]).longValue(), ((Number) r[3]).longValue() });
        }
        byGroup.putIfAbsent(0L, Map.of());
        List<Spread> spreads = new ArrayList<>();
        byGroup.forEach((group, perDay) -> {
            List<Share> shares = new ArrayList<>();
            for (int i = days - 1; i >= 0; i--) {
                long[] counts = perDay.getOrDefault(today.minusDays(i), new long[2]);
                shares.add(new Share(today.minusDays(i), counts[0], counts[1]));
            }
            spreads.add(new Spread(group, shares));
        });
        spreads.sort(java.util.Comparator.comparingLong(Spread::group));
        return spreads;
    }

    /** A {@code date} column as native queries return it (the JDBC type depends on the driver's mapping). */
    private static LocalDate day(Object value) {
        return value instanceof LocalDate day ? day : ((Date) value).toLocalDate();
    }

    private LocalDate requireRange(int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new InvalidInputException("invalid-days", "days is 1 to " + MAX_DAYS + ", not " + days);
        }
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
