package dev.firmament.targeting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.db.PageCursor;
import dev.firmament.device.Mac;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.errors.PlainText;

/** MAC groups of the current tenant. */
@ApplicationScoped
public class GroupService {

    private final EntityManager entityManager;
    private final FleetChanges changes;
    private final AuditService audit;

    GroupService(EntityManager entityManager, FleetChanges changes, AuditService audit) {
        this.entityManager = entityManager;
        this.changes = changes;
        this.audit = audit;
    }

    @Transactional
    public MacGroup create(String name) {
        PlainText.name(name, "group", 100);
        if (!entityManager.createQuery("select g.id from MacGroup g where g.name = ?1", Long.class)
                .setParameter(1, name.strip()).getResultList().isEmpty()) {
            throw new dev.firmament.errors.ConflictException("group-exists",
                    "A group named " + name.strip() + " already exists");
        }
        MacGroup group = new MacGroup();
        group.name = name.strip();
        group.createdAt = Instant.now();
        entityManager.persist(group);
        entityManager.flush();
        audit.record("group.create", "group", group.id.toString(), null, java.util.Map.of("name", group.name));
        return group;
    }

    /** A group and its size. */
    public record GroupSummary(long id, String name, long members, java.time.Instant createdAt) {
    }

    /** What happened to each line of a bulk import; valid lines are kept even when others are not. */
    public record ImportResult(int added, int alreadyMembers, List<LineError> errors) {
    }

    /** One refused line of a bulk import (1-based line number). */
    public record LineError(int line, String value, String error) {
    }

    @Transactional
    public List<GroupSummary> list() {
        return entityManager
                .createQuery("select g.id, g.name, (select count(m) from MacGroupMember m where"
                        + " m.groupId = g.id), g.createdAt from MacGroup g order by g.name", Object[].class)
                .getResultList().stream()
                .map(r -> new GroupSummary((Long) r[0], (String) r[1], (Long) r[2], (java.time.Instant) r[3])).toList();
    }

    @Transactional
    public List<String> members(long groupId) {
        return members(groupId, null, Integer.MAX_VALUE - 1).items();
    }

    /** A page of the group's MACs, in order, after cursor {@code after} (null for the first page). */
    @Transactional
    public PageCursor.Slice<String> members(long groupId, String after, int limit) {
        requireGroup(groupId);
        List<String> keys = PageCursor.decode(after, "mac", 1);
        List<String> macs = entityManager
                .createQuery("select m.mac from MacGroupMember m where m.groupId = ?1 and m.mac > ?2 order by m.mac",
                        String.class)
                .setParameter(1, groupId).setParameter(2, keys == null ? "" : keys.get(0)).setMaxResults(limit + 1)
                .getResultList();
        return PageCursor.slice(macs, limit, last -> PageCursor.encode("mac", last));
    }

    /**
     * Adds the MACs of a pasted list or CSV file: one per line, the first column counts, blank lines, {@code #}
     * comments and a header line are skipped. Invalid lines are reported; the valid ones are added.
     */
    @Transactional
    public ImportResult importMembers(long groupId, String text) {
        String[] lines = text == null ? new String[0] : text.split("\\r?\\n", -1);
        if (lines.length > 100_000) {
            throw new InvalidInputException("too-many-lines", "At most 100000 lines per import");
        }
        List<String> valid = new ArrayList<>();
        List<LineError> errors = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String value = lines[i].split("[,;\\t]", 2)[0].trim().replace("\"", "");
            if (value.isEmpty() || value.startsWith("#") || (i == 0 && value.equalsIgnoreCase("mac"))) {
                continue;
            }
            var mac = Mac.parse(value);
            if (mac.isPresent()) {
                valid.add(mac.get());
            } else {
                errors.add(new LineError(i + 1, value.length() > 40 ? value.substring(0, 40) + "…" : value,
                        Mac.whyNot(value)));
            }
        }
        int added = valid.isEmpty() ? 0 : addMembers(groupId, valid);
        return new ImportResult(added, (int) (valid.stream().distinct().count() - added), errors);
    }

    /** Deletes a group that no rule and no device key uses. */
    @Transactional
    public void delete(long groupId) {
        MacGroup group = entityManager.find(MacGroup.class, groupId);
        if (group == null) {
            throw new NotFoundException("Group " + groupId);
        }
        long rules = ((Number) entityManager
                .createNativeQuery(
                        "select count(*) from version_rules where tenant_id =" + " ?1 and ?2 = any(group_ids)")
                .setParameter(1, group.tenantId).setParameter(2, groupId).getSingleResult()).longValue();
        long keys = entityManager
                .createQuery("select count(k) from DeviceKey k where k.defaultGroupId = ?1", Long.class)
                .setParameter(1, groupId).getSingleResult();
        // Completed rollouts still reach late devices through their groups; only aborted ones let go.
        long rollouts = ((Number) entityManager.createNativeQuery("select count(distinct r.id) from rollouts r"
                + " left join rollout_waves w on w.tenant_id = r.tenant_id and w.rollout_id = r.id where r.tenant_id"
                + " = ?1 and r.state <> 'aborted' and (?2 = any(r.eligible_group_ids) or ?2 = any(w.group_ids))")
                .setParameter(1, group.tenantId).setParameter(2, groupId).getSingleResult()).longValue();
        if (rules + keys + rollouts > 0) {
            throw new dev.firmament.errors.ConflictException("group-in-use", "Group " + groupId + " is used by " + rules
                    + " rule(s), " + keys + " device key(s) and " + rollouts + " rollout(s) that are not aborted");
        }
        audit.record("group.delete", "group", Long.toString(groupId), java.util.Map.of("name", group.name), null);
        entityManager.remove(group);
        changes.currentTenantChanged();
    }

    /** Adds MACs (any common notation); returns how many were new. One statement, whatever the count. */
    @Transactional
    public int addMembers(long groupId, Collection<String> macs) {
        MacGroup group = requireGroup(groupId);
        List<String> canonical = canonical(macs).stream().distinct().toList();
        int added = canonical.isEmpty() ? 0
                : entityManager
                        .createNativeQuery("insert into mac_group_members (tenant_id, group_id, mac)"
                                + " select ?1, ?2, unnest(string_to_array(?3, ',')) on conflict do nothing")
                        .setParameter(1, group.tenantId).setParameter(2, groupId)
                        .setParameter(3, String.join(",", canonical)).executeUpdate();
        audit.record("group.add-members", "group", Long.toString(groupId), null,
                java.util.Map.of("macs", canonical.size() <= 1000 ? canonical : canonical.subList(0, 1000), "count",
                        canonical.size(), "added", added));
        changes.currentTenantChanged();
        return added;
    }

    @Transactional
    public int removeMembers(long groupId, Collection<String> macs) {
        requireGroup(groupId);
        int removed = entityManager.createQuery("delete from MacGroupMember where groupId = ?1 and mac in ?2")
                .setParameter(1, groupId).setParameter(2, canonical(macs)).executeUpdate();
        audit.record("group.remove-members", "group", Long.toString(groupId), java.util.Map.of("macs", canonical(macs)),
                java.util.Map.of("removed", removed));
        changes.currentTenantChanged();
        return removed;
    }

    private MacGroup requireGroup(long groupId) {
        MacGroup group = entityManager.find(MacGroup.class, groupId);
        if (group == null) {
            throw new NotFoundException("Group " + groupId);
        }
        return group;
    }

    private static List<String> canonical(Collection<String> macs) {
        List<String> canonical = new ArrayList<>(macs.size());
        for (String mac : macs) {
            canonical.add(Mac.require(mac));
        }
        return canonical;
    }
}
