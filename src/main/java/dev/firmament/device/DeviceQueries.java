package dev.firmament.device;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.db.SqlFilter;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.tenant.TenantContext;

/**
 * Read side of the device registry for the API and console: filtered, sorted, paged listings over the indexed columns,
 * and device histories. Plain SQL with the tenant named explicitly, to stay fast at 100,000 devices.
 */
@ApplicationScoped
public class DeviceQueries {

    /** Recency goes through {@code seen_window}, the indexed 5-minute window of {@code last_seen} (V8). */
    private static final Map<String, String> SORTS = Map.of("lastSeen", "d.seen_window desc, d.last_seen desc, d.mac",
            "mac", "d.mac", "version", "d.version, d.mac", "firstSeen", "d.first_seen desc, d.mac");

    private static final java.time.Duration SEEN_WINDOW = java.time.Duration.ofMinutes(5);

    private final EntityManager entityManager;
    private final TenantContext tenants;

    DeviceQueries(EntityManager entityManager, TenantContext tenants) {
        this.entityManager = entityManager;
        this.tenants = tenants;
    }

    /**
     * Listing filters; null fields match everything. {@code status} is {@code blocked}, {@code active} or
     * {@code pending}.
     */
    public record Filter(String product, String version, Long group, String q, Instant seenSince, Instant seenBefore,
            String status, String sort, int page, int size) {
    }

    /** One row of a listing. */
    public record DeviceSummary(String mac, String product, String client, String version, String ip, boolean blocked,
            Long pendingReleaseId, Instant firstSeen, Instant lastSeen) {
    }

    /** A page of devices and the total that matched. */
    public record Page(List<DeviceSummary> items, int page, int size, long total) {
    }

    @Transactional
    public Page list(Filter filter) {
        if (filter.size() < 1 || filter.size() > 500 || filter.page() < 0) {
            throw new InvalidInputException("invalid-paging", "page is 0 or more and size 1 to 500");
        }
        String order = SORTS.get(filter.sort() == null ? "lastSeen" : filter.sort());
        if (order == null) {
            throw new InvalidInputException("invalid-sort", "sort is one of " + SORTS.keySet());
        }
        String q = filter.q() == null || filter.q().isBlank() ? null
                : "%" + filter.q().trim().toUpperCase(Locale.ROOT).replace("%", "") + "%";
        SqlFilter where = new SqlFilter("d.tenant_id = ?", tenants.require().toString())
                .and("p.name = ?", filter.product()).and("d.version = ?", filter.version())
                .and("exists (select 1 from mac_group_members m where m.tenant_id = d.tenant_id and m.mac = d.mac"
                        + " and m.group_id = ?)", filter.group())
                .and("(d.mac like ? or upper(d.version) like ? or d.ip like ?)", q)
                .and("d.seen_window >= ?", seenWindow(filter.seenSince())).and("d.last_seen >= ?", filter.seenSince())
                .and("d.seen_window <= ?", seenWindow(filter.seenBefore())).and("d.last_seen < ?", filter.seenBefore());
        if (filter.status() != null) {
            where.and(switch (filter.status()) {
            case "blocked" -> "d.blocked";
            case "active" -> "not d.blocked";
            case "pending" -> "d.pending_release_id is not null";
            default -> throw new InvalidInputException("invalid-status", "status is blocked, active or pending");
            });
        }
        String from = " from devices d left join products p on p.tenant_id = d.tenant_id"
                + " and p.id = coalesce(d.assigned_product_id, d.product_id)";
        var count = where.query(entityManager, "select count(*)" + from, "");
        var select = where.query(entityManager,
                "select d.mac, p.name, d.client, d.version, d.ip, d.blocked,"
                        + " d.pending_release_id, d.first_seen, d.last_seen" + from,
                " order by " + order + " limit " + filter.size() + " offset " + ((long) filter.page() * filter.size()));
        List<DeviceSummary> items = new ArrayList<>();
        for (Object row : select.getResultList()) {
            Object[] r = (Object[]) row;
            items.add(new DeviceSummary((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                    (Boolean) r[5], r[6] == null ? null : ((Number) r[6]).longValue(), SqlFilter.instant(r[7]),
                    SqlFilter.instant(r[8])));
        }
        return new Page(items, filter.page(), filter.size(), ((Number) count.getSingleResult()).longValue());
    }

    /**
     * The {@code seen_window} of a device last seen at {@code at}: conditions on it let PostgreSQL use its index before
     * it checks {@code last_seen} itself. Windows are aligned on the epoch, like the column's {@code date_bin}.
     */
    public static Instant seenWindow(Instant at) {
        if (at == null) {
            return null;
        }
        long window = SEEN_WINDOW.getSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), window) * window);
    }

    /** A device with its groups and pin. */
    public record DeviceDetail(Device device, List<Long> groups, Long pinnedReleaseId) {
    }

    @Transactional
    public Optional<DeviceDetail> find(String mac) {
        String canonical = Mac.require(mac);
        return entityManager.createQuery("from Device where mac = ?1", Device.class).setParameter(1, canonical)
                .getResultStream().findFirst()
                .map(device -> new DeviceDetail(device,
                        entityManager.createQuery(
                                "select m.groupId from MacGroupMember m where m.mac = ?1 order by" + " m.groupId",
                                Long.class).setParameter(1, canonical).getResultList(),
                        entityManager.createQuery("select p.releaseId from Pin p where p.mac = ?1", Long.class)
                                .setParameter(1, canonical).getResultStream().findFirst().orElse(null)));
    }

    /** A device event as stored. */
    public record DeviceEvent(long id, Instant at, String mac, String type, Long releaseId,
            @com.fasterxml.jackson.annotation.JsonRawValue String detail) {
    }

    /** Device events, newest first: "which devices pulled release X", "what did device Y get". */
    @Transactional
    public List<DeviceEvent> events(Long releaseId, String mac, String type, Instant from, Instant to, int limit) {
        var query = new SqlFilter("tenant_id = ?", tenants.require().toString()).and("release_id = ?", releaseId)
                .and("mac = ?", mac == null ? null : Mac.require(mac)).and("type = ?", type).and("at >= ?", from)
                .and("at < ?", to).query(entityManager,
                        "select id, at, mac, type, release_id, detail::text" + " from device_events",
                        " order by at desc, id desc limit " + Math.max(1, Math.min(limit, 10_000)));
        List<DeviceEvent> events = new ArrayList<>();
        for (Object row : query.getResultList()) {
            Object[] r = (Object[]) row;
            events.add(new DeviceEvent(((Number) r[0]).longValue(), SqlFilter.instant(r[1]), (String) r[2],
                    (String) r[3], r[4] == null ? null : ((Number) r[4]).longValue(), (String) r[5]));
        }
        return events;
    }
}
