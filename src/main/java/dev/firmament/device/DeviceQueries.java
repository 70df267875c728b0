package dev.firmament.device;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.db.PageCursor;
import dev.firmament.db.SqlFilter;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.format.RowSink;
import dev.firmament.tenant.TenantContext;

/**
 * Read side of the device registry for the API and console: filtered, sorted, paged listings over the indexed columns,
 * and device histories. Plain SQL with the tenant named explicitly, to stay fast at 100,000 devices.
 */
@ApplicationScoped
public class DeviceQueries {

    /** Recency goes through {@code seen_window}, the indexed 5-minute window of {@code last_seen} (V8). */
    private static final Map<String, String> SORTS = Map.of("lastSeen",
            "d.seen_window desc, d.last_seen desc, d.mac desc", "mac", "d.mac", "version",
            "coalesce(d.version, ''), d.mac", "firstSeen", "d.first_seen desc, d.mac desc");

    private static final java.time.Duration SEEN_WINDOW = java.time.Duration.ofMinutes(5);

    private final EntityManager entityManager;
    private final TenantContext tenants;

    DeviceQueries(EntityManager entityManager, TenantContext tenants) {
        this.entityManager = entityManager;
        this.tenants = tenants;
    }

    /**
     * Listing filters; null fields match everything. {@code status} is {@code blocked}, {@code active} or
     * {@code pending}; {@code sort} is one of {@link #SORTS}, {@code lastSeen} when null.
     */
    public record Filter(String product, String version, Long group, String q, Instant seenSince, Instant seenBefore,
            String status, String sort) {
        /** Refuses an unknown sort or status when the filter is made, before any export starts. */
        public Filter {
            if (sort != null && !SORTS.containsKey(sort)) {
                throw new InvalidInputException("invalid-sort",
                        "sort is one of " + new java.util.TreeSet<>(SORTS.keySet()));
            }
            if (status != null && !List.of("blocked", "active", "pending").contains(status)) {
                throw new InvalidInputException("invalid-status", "status is blocked, active or pending");
            }
        }

        String sortOrDefault() {
            return sort == null ? "lastSeen" : sort;
        }
    }

    /** One row of a listing. */
    public record DeviceSummary(String mac, String product, String client, String version, String ip, boolean blocked,
            Long pendingReleaseId, String pendingVersion, Instant firstSeen, Instant lastSeen) {
    }

    /** A numbered page of devices and the total that matched: the console's pages. */
    public record Page(List<DeviceSummary> items, int page, int size, long total) {
    }

    private static final String DEVICES_FROM = " from devices d left join products p on p.tenant_id = d.tenant_id"
            + " and p.id = coalesce(d.assigned_product_id, d.product_id)";
    private static final String SUMMARY_COLUMNS = "select d.mac, p.name, d.client, d.version, d.ip, d.blocked,"
            + " d.pending_release_id, d.pending_version, d.first_seen, d.last_seen";

    /** Page {@code page} (from 0) of {@code size} devices, for the console's numbered pages. */
    @Transactional
    public Page list(Filter filter, int page, int size) {
        if (size < 1 || size > 500 || page < 0) {
            throw new InvalidInputException("invalid-paging", "page is 0 or more and size 1 to 500");
        }
        List<?> result = where(tenants.require().toString(), filter)
                .query(entityManager, SUMMARY_COLUMNS + DEVICES_FROM,
                        " order by " + order(filter) + " limit " + size + " offset " + ((long) page * size))
                .getResultList();
        List<DeviceSummary> items = result.stream().map(row -> summary((Object[]) row)).toList();
        return new Page(items, page, size, count(filter));
    }

    /**
     * The devices after cursor {@code after} (null for the first page), at most {@code limit}. Sorted by {@code mac} or
     * {@code firstSeen}, a walk returns every device exactly once; {@code lastSeen} and {@code version} are live views,
     * in which a device that checks in or updates during the walk moves.
     */
    @Transactional
    public PageCursor.Slice<DeviceSummary> slice(Filter filter, String after, int limit) {
        String order = order(filter);
        String sort = filter.sortOrDefault();
        SqlFilter where = where(tenants.require().toString(), filter);
        List<String> keys = PageCursor.decode(after, sort, sort.equals("mac") ? 1 : 2);
        if (keys != null) {
            try {
                switch (sort) {
                case "mac" -> where.and("d.mac > ?", keys.get(0));
                case "version" -> where.andEach("(coalesce(d.version, ''), d.mac) > (?, ?)", keys.get(0), keys.get(1));
                case "firstSeen" -> where.andEach("(d.first_seen, d.mac) < (?, ?)", Instant.parse(keys.get(0)),
                        keys.get(1));
                default -> {
                    // The window condition on its own lets PostgreSQL start from the seen_window index.
                    Instant lastSeen = Instant.parse(keys.get(0));
                    where.and("d.seen_window <= ?", seenWindow(lastSeen)).andEach(
                            "(d.seen_window, d.last_seen, d.mac) < (?, ?, ?)", seenWindow(lastSeen), lastSeen,
                            keys.get(1));
                }
                }
            } catch (java.time.format.DateTimeParseException e) {
                throw PageCursor.notACursor();
            }
        }
        List<?> result = where
                .query(entityManager, SUMMARY_COLUMNS + DEVICES_FROM, " order by " + order + " limit " + (limit + 1))
                .getResultList();
        List<DeviceSummary> rows = result.stream().map(row -> summary((Object[]) row)).toList();
        return PageCursor.slice(rows, limit, last -> switch (sort) {
        case "mac" -> PageCursor.encode(sort, last.mac());
        case "version" -> PageCursor.encode(sort, last.version() == null ? "" : last.version(), last.mac());
        case "firstSeen" -> PageCursor.encode(sort, last.firstSeen(), last.mac());
        default -> PageCursor.encode(sort, last.lastSeen(), last.mac());
        });
    }

    /** A member of a group with what its device last reported; a MAC that never checked in has only its address. */
    public record GroupMember(String mac, String product, String version, Instant lastSeen) {
    }

    /**
     * The members of group {@code groupId} by MAC, after cursor {@code after}, at most {@code limit}; {@code q} keeps
     * those whose MAC or version contains it (ignoring case and MAC notation).
     */
    @Transactional
    public PageCursor.Slice<GroupMember> groupMembers(long groupId, String q, String after, int limit) {
        List<String> keys = PageCursor.decode(after, "mac", 1);
        SqlFilter where = new SqlFilter("m.tenant_id = ?", tenants.require().toString()).and("m.group_id = ?", groupId)
                .and("m.mac > ?", keys == null ? null : keys.get(0));
        if (q != null && !q.isBlank()) {
            String text = q.strip().toUpperCase(Locale.ROOT);
            where.andEach("(m.mac like ? or replace(m.mac, ':', '') like ? or upper(d.version) like ?)",
                    SqlFilter.containing(text), SqlFilter.containing(text.replaceAll("[:-]", "")),
                    SqlFilter.containing(text));
        }
        List<?> rows = where.query(entityManager,
                "select m.mac, p.name, d.version, d.last_seen from mac_group_members m"
                        + " left join devices d on d.tenant_id = m.tenant_id and d.mac = m.mac"
                        + " left join products p on p.tenant_id = d.tenant_id"
                        + " and p.id = coalesce(d.assigned_product_id, d.product_id)",
                " order by m.mac limit " + (limit + 1)).getResultList();
        List<GroupMember> members = rows.stream().map(row -> (Object[]) row)
                .map(r -> new GroupMember((String) r[0], (String) r[1], (String) r[2], SqlFilter.instant(r[3])))
                .toList();
        return PageCursor.slice(members, limit, last -> PageCursor.encode("mac", last.mac()));
    }

    /** How many devices match {@code filter}. */
    @Transactional
    public long count(Filter filter) {
        return ((Number) where(tenants.require().toString(), filter)
                .query(entityManager, "select count(*)" + DEVICES_FROM, "").getSingleResult()).longValue();
    }

    /** The columns of a device export, in order. */
    public static final List<String> EXPORT_COLUMNS = List.of("mac", "product", "assigned_product", "client", "version",
            "build", "mode", "ip", "chip_id", "chip_size", "free_space", "sketch_size", "sketch_md5", "sdk_version",
            "blocked", "pending_release_id", "pending_since", "groups", "first_seen", "last_seen");

    /**
     * Every device of {@code tenant} matching {@code filter}, in its sort, handed to {@code sink} row by row as it is
     * read: constant memory for any fleet. Groups are their names, joined with {@code "; "}.
     */
    @Transactional
    public void export(UUID tenant, Filter filter, RowSink sink) throws java.io.IOException {
        String select = "select d.mac, p.name, ap.name, d.client, d.version, d.build, d.mode, d.ip, d.chip_id,"
                + " d.chip_size, d.free_space, d.sketch_size, d.sketch_md5, d.sdk_version, d.blocked,"
                + " d.pending_release_id, d.pending_since, (select string_agg(g.name, '; ' order by g.name)"
                + " from mac_group_members m join mac_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id"
                + " where m.tenant_id = d.tenant_id and m.mac = d.mac), d.first_seen, d.last_seen" + DEVICES_FROM
                + " left join products ap on ap.tenant_id = d.tenant_id and ap.id = d.assigned_product_id";
        stream(where(tenant.toString(), filter).query(entityManager, select, " order by " + order(filter)), sink);
    }

    private void stream(jakarta.persistence.Query query, RowSink sink) throws java.io.IOException {
        try (var rows = query.setHint(org.hibernate.jpa.HibernateHints.HINT_FETCH_SIZE, 1000).getResultStream()) {
            for (var iterator = rows.iterator(); iterator.hasNext();) {
                Object[] row = ((Object[]) iterator.next()).clone();
                for (int i = 0; i < row.length; i++) {
                    if (row[i] instanceof java.sql.Timestamp || row[i] instanceof java.time.OffsetDateTime) {
                        row[i] = SqlFilter.instant(row[i]);
                    }
                }
                sink.row(row);
            }
        }
    }

    private static String order(Filter filter) {
        return SORTS.get(filter.sortOrDefault());
    }

    private static SqlFilter where(String tenant, Filter filter) {
        String q = filter.q() == null || filter.q().isBlank() ? null
                : SqlFilter.containing(filter.q().trim().toUpperCase(Locale.ROOT));
        SqlFilter where = new SqlFilter("d.tenant_id = ?", tenant).and("p.name = ?", filter.product())
                .and("d.version = ?", filter.version())
                .and("exists (select 1 from mac_group_members m where m.tenant_id = d.tenant_id and m.mac = d.mac"
                        + " and m.group_id = ?)", filter.group())
                .and("(d.mac like ? or upper(d.version) like ? or d.ip like ?)", q)
                .and("d.seen_window >= ?", seenWindow(filter.seenSince())).and("d.last_seen >= ?", filter.seenSince())
                .and("d.seen_window <= ?", seenWindow(filter.seenBefore())).and("d.last_seen < ?", filter.seenBefore());
        if (filter.status() != null) {
            where.and(switch (filter.status()) {
            case "blocked" -> "d.blocked";
            case "active" -> "not d.blocked";
            default -> "d.pending_release_id is not null"; // pending
            });
        }
        return where;
    }

    private static DeviceSummary summary(Object[] r) {
        return new DeviceSummary((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                (Boolean) r[5], SqlFilter.longOrNull(r[6]), (String) r[7], SqlFilter.instant(r[8]),
                SqlFilter.instant(r[9]));
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

    /**
     * Which events to read; null fields match everything. {@code group} matches the devices in that group now;
     * {@code type} is a {@link DeviceEventType} code.
     */
    public record EventFilter(Long releaseId, String mac, String type, Long group, Instant from, Instant to) {
        /** Refuses a malformed MAC or an unknown type when the filter is made, and keeps the MAC canonical. */
        public EventFilter {
            mac = mac == null ? null : Mac.require(mac);
            if (type != null && java.util.Arrays.stream(DeviceEventType.values())
                    .noneMatch(known -> known.code().equals(type))) {
                throw new InvalidInputException("invalid-type",
                        "type is one of "
                                + java.util.Arrays.stream(DeviceEventType.values()).map(DeviceEventType::code).toList()
                                + ", not " + type);
            }
        }

        public static EventFilter ofDevice(String mac) {
            return new EventFilter(null, mac, null, null, null, null);
        }
    }

    /**
     * Events matching {@code filter}, newest first, after cursor {@code after} (null for the first page), at most
     * {@code limit}. The cursor is the primary key's (at, id), so events recorded during a walk never shift it.
     */
    @Transactional
    public PageCursor.Slice<DeviceEvent> events(EventFilter filter, String after, int limit) {
        SqlFilter where = eventsWhere(tenants.require().toString(), filter);
        List<String> keys = PageCursor.decode(after, "at", 2);
        if (keys != null) {
            try {
                where.andEach("(e.at, e.id) < (?, ?)", Instant.parse(keys.get(0)), Long.parseLong(keys.get(1)));
            } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
                throw PageCursor.notACursor();
            }
        }
        List<?> result = where.query(entityManager,
                "select e.id, e.at, e.mac, e.type, e.release_id, e.detail::text from device_events e",
                " order by e.at desc, e.id desc limit " + (limit + 1)).getResultList();
        List<DeviceEvent> rows = result.stream().map(Object[].class::cast)
                .map(r -> new DeviceEvent(((Number) r[0]).longValue(), SqlFilter.instant(r[1]), (String) r[2],
                        (String) r[3], SqlFilter.longOrNull(r[4]), (String) r[5]))
                .toList();
        return PageCursor.slice(rows, limit, last -> PageCursor.encode("at", last.at(), last.id()));
    }

    /** The columns of an event export, in order. */
    public static final List<String> EVENT_EXPORT_COLUMNS = List.of("id", "at", "mac", "type", "release_id", "product",
            "version", "detail");

    /**
     * Every event of {@code tenant} matching {@code filter}, oldest first, with the release's product and version,
     * handed to {@code sink} row by row as it is read: "who pulled what" in constant memory.
     */
    @Transactional
    public void exportEvents(UUID tenant, EventFilter filter, RowSink sink) throws java.io.IOException {
        stream(eventsWhere(tenant.toString(), filter).query(entityManager,
                "select e.id, e.at, e.mac, e.type, e.release_id, p.name, r.version, e.detail::text from device_events e"
                        + " left join releases r on r.tenant_id = e.tenant_id and r.id = e.release_id"
                        + " left join products p on p.tenant_id = r.tenant_id and p.id = r.product_id",
                " order by e.at, e.id"), sink);
    }

    private static SqlFilter eventsWhere(String tenant, EventFilter filter) {
        return new SqlFilter("e.tenant_id = ?", tenant).and("e.release_id = ?", filter.releaseId())
                .and("e.mac = ?", filter.mac()).and("e.type = ?", filter.type())
                .and("exists (select 1 from mac_group_members m where m.tenant_id = e.tenant_id and m.mac = e.mac"
                        + " and m.group_id = ?)", filter.group())
                .and("e.at >= ?", filter.from()).and("e.at < ?", filter.to());
    }
}
