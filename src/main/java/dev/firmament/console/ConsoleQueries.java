package dev.firmament.console;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.db.SqlFilter;
import dev.firmament.device.DeviceQueries;
import dev.firmament.device.Mac;
import dev.firmament.targeting.VersionComparator;
import dev.firmament.targeting.VersionCondition;
import dev.firmament.tenant.TenantContext;

/** The console's read-only views that the API does not offer as such: fleet summaries, counts, timelines. */
@ApplicationScoped
public class ConsoleQueries {

    private final EntityManager entityManager;
    private final TenantContext tenants;

    ConsoleQueries(EntityManager entityManager, TenantContext tenants) {
        this.entityManager = entityManager;
        this.tenants = tenants;
    }

    /** How many devices run a version of a product. */
    public record VersionCount(String product, String version, long devices) {
    }

    /** The fleet by product and reported version, largest first. */
    @Transactional
    public List<VersionCount> fleetByVersion() {
        List<VersionCount> counts = new ArrayList<>();
        for (Object row : entityManager.createNativeQuery("select coalesce(p.name, '(no product)'),"
                + " coalesce(d.version, '(unknown)'), count(*) from devices d left join products p on p.tenant_id ="
                + " d.tenant_id and p.id = coalesce(d.assigned_product_id, d.product_id) where d.tenant_id = ?1"
                + " group by 1, 2 order by 3 desc, 1, 2").setParameter(1, tenant()).getResultList()) {
            Object[] r = (Object[]) row;
            counts.add(new VersionCount((String) r[0], (String) r[1], ((Number) r[2]).longValue()));
        }
        return counts;
    }

    /** Check-ins and complete downloads in one hour. */
    public record HourlyActivity(Instant hour, long checkIns, long downloads) {
    }

    /** The last {@code hours} hours, oldest first, with empty hours filled in. */
    @Transactional
    public List<HourlyActivity> activity(int hours) {
        List<HourlyActivity> series = new ArrayList<>();
        for (Object row : entityManager.createNativeQuery("select h.hour, coalesce(a.checkins, 0),"
                + " coalesce(a.downloads, 0) from generate_series(date_trunc('hour', now()) - make_interval(hours =>"
                + " ?2), date_trunc('hour', now()), interval '1 hour') as h(hour) left join device_activity_hourly a"
                + " on a.tenant_id = ?1 and a.hour = h.hour order by h.hour").setParameter(1, tenant())
                .setParameter(2, hours - 1).getResultList()) {
            Object[] r = (Object[]) row;
            series.add(new HourlyActivity(SqlFilter.instant(r[0]), ((Number) r[1]).longValue(),
                    ((Number) r[2]).longValue()));
        }
        return series;
    }

    /** Device totals for the dashboard's cards. */
    public record FleetTotals(long devices, long seenLastDay, long silent, long blocked) {
    }

    @Transactional
    public FleetTotals totals() {
        Object[] r = (Object[]) entityManager
                .createNativeQuery("select count(*), count(*) filter (where last_seen >="
                        + " now() - interval '1 day'), count(*) filter (where last_seen < now() - interval '1 day'),"
                        + " count(*) filter (where blocked) from devices where tenant_id = ?1")
                .setParameter(1, tenant()).getSingleResult();
        return new FleetTotals(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                ((Number) r[3]).longValue());
    }

    /** A device that has not checked in lately. */
    public record SilentDevice(String mac, String product, String version, Instant lastSeen) {
    }

    /** Devices not seen for a day, the most recently lost first. */
    @Transactional
    public List<SilentDevice> silentDevices(int limit) {
        List<SilentDevice> devices = new ArrayList<>();
        Instant dayAgo = Instant.now().minus(java.time.Duration.ofDays(1));
        for (Object row : entityManager.createNativeQuery("select d.mac, p.name, d.version, d.last_seen from devices d"
                + " left join products p on p.tenant_id = d.tenant_id and p.id = coalesce(d.assigned_product_id,"
                + " d.product_id) where d.tenant_id = ?1 and d.seen_window <= ?2 and d.last_seen < ?3"
                + " order by d.seen_window desc, d.last_seen desc limit " + limit).setParameter(1, tenant())
                .setParameter(2, Timestamp.from(DeviceQueries.seenWindow(dayAgo)))
                .setParameter(3, Timestamp.from(dayAgo)).getResultList()) {
            Object[] r = (Object[]) row;
            devices.add(new SilentDevice((String) r[0], (String) r[1], (String) r[2], SqlFilter.instant(r[3])));
        }
        return devices;
    }

    /**
     * {@link #devicesMatching} of each rule, by rule id, with one query for every rule that selects by product and
     * version only (the usual ones) and one more for each rule that lists MACs or groups.
     */
    @Transactional
    public Map<Long, Long> devicesMatching(List<dev.firmament.targeting.VersionRule> rules) {
        Map<Long, Long> matching = new java.util.HashMap<>();
        List<Object[]> byVersion = null;
        for (var rule : rules) {
            if (rule.macs.length > 0 || rule.groupIds.length > 0) {
                matching.put(rule.id, devicesMatching(rule.productId, List.of(rule.macs), List.of(rule.groupIds),
                        rule.versionConditions));
                continue;
            }
            if (byVersion == null) {
                byVersion = new SqlFilter("d.tenant_id = ?", tenant())
                        .query(entityManager,
                                "select cast(coalesce(d.assigned_product_id, d.product_id) as varchar), d.version,"
                                        + " count(*) from devices d",
                                " group by 1, 2")
                        .getResultList().stream().map(row -> (Object[]) row).toList();
            }
            String product = String.valueOf(rule.productId);
            matching.put(rule.id,
                    byVersion.stream().filter(r -> product.equals(r[0]))
                            .filter(r -> matches((String) r[1], rule.versionConditions))
                            .mapToLong(r -> ((Number) r[2]).longValue()).sum());
        }
        return matching;
    }

    private static boolean matches(String version, List<VersionCondition> conditions) {
        return conditions.stream()
                .allMatch(c -> version != null && VersionComparator.satisfies(version, c.op(), c.value()));
    }

    /**
     * How many registered devices a rule's conditions match, on their own (earlier rules may catch some of them first).
     * Versions are compared in Java, the way the decider does; the database groups devices by version first, so this
     * reads one row per distinct version, not per device.
     */
    @Transactional
    public long devicesMatching(java.util.UUID productId, List<String> macs, List<Long> groups,
            List<VersionCondition> conditions) {
        SqlFilter where = new SqlFilter("d.tenant_id = ?", tenant())
                .and("coalesce(d.assigned_product_id, d.product_id) = ?", productId);
        if (!macs.isEmpty()) {
            where.and(
                    "d.mac in (" + String.join(",", macs.stream().map(m -> "'" + Mac.require(m) + "'").toList()) + ")");
        }
        if (!groups.isEmpty()) {
            where.and("exists (select 1 from mac_group_members m where m.tenant_id = d.tenant_id and m.mac = d.mac"
                    + " and m.group_id in (" + String.join(",", groups.stream().map(String::valueOf).toList()) + "))");
        }
        long matching = 0;
        for (Object row : where.query(entityManager, "select d.version, count(*) from devices d", " group by d.version")
                .getResultList()) {
            Object[] r = (Object[]) row;
            String version = (String) r[0];
            if (matches(version, conditions)) {
                matching += ((Number) r[1]).longValue();
            }
        }
        return matching;
    }

    /** What one device did with one release. */
    public record Puller(String mac, Instant offered, Instant downloaded, Instant installed, Instant failed) {
    }

    /** Who was offered, pulled and installed a release (from device events), most recent first. */
    @Transactional
    public List<Puller> pullers(long releaseId, int limit) {
        List<Puller> pullers = new ArrayList<>();
        for (Object row : entityManager.createNativeQuery("select mac, max(at) filter (where type = 'offered'),"
                + " max(at) filter (where type = 'downloaded'), max(at) filter (where type = 'installed'),"
                + " max(at) filter (where type = 'failed') from device_events where tenant_id = ?1 and release_id = ?2"
                + " group by mac order by max(at) desc limit " + limit).setParameter(1, tenant())
                .setParameter(2, releaseId).getResultList()) {
            Object[] r = (Object[]) row;
            pullers.add(new Puller((String) r[0], SqlFilter.instant(r[1]), SqlFilter.instant(r[2]),
                    SqlFilter.instant(r[3]), SqlFilter.instant(r[4])));
        }
        return pullers;
    }

    /** Counts of a release's device events by type. */
    @Transactional
    public Map<String, Long> releaseEventCounts(long releaseId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String type : List.of("offered", "downloaded", "installed", "failed")) {
            counts.put(type, 0L);
        }
        for (Object row : entityManager
                .createNativeQuery("select type, count(distinct mac) from device_events"
                        + " where tenant_id = ?1 and release_id = ?2 group by type")
                .setParameter(1, tenant()).setParameter(2, releaseId).getResultList()) {
            Object[] r = (Object[]) row;
            counts.put((String) r[0], ((Number) r[1]).longValue());
        }
        return counts;
    }

    /** A device's place in a rollout. */
    public record RolloutMembership(long rolloutId, String rollout, String rolloutState, int wave, String state,
            String failure) {
    }

    @Transactional
    public List<RolloutMembership> rolloutsOf(String mac) {
        List<RolloutMembership> memberships = new ArrayList<>();
        for (Object row : entityManager
                .createNativeQuery("select r.id, r.name, r.state, m.wave, m.state, m.failure"
                        + " from rollout_devices m join rollouts r on r.tenant_id = m.tenant_id and r.id = m.rollout_id"
                        + " where m.tenant_id = ?1 and m.mac = ?2 order by r.id desc")
                .setParameter(1, tenant()).setParameter(2, Mac.require(mac)).getResultList()) {
            Object[] r = (Object[]) row;
            memberships.add(new RolloutMembership(((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                    ((Number) r[3]).intValue(), (String) r[4], (String) r[5]));
        }
        return memberships;
    }

    private String tenant() {
        return tenants.require().toString();
    }
}
