package dev.firmament.targeting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.device.Mac;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;

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
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new InvalidInputException("invalid-name", "A group name is 1 to 100 characters");
        }
        MacGroup group = new MacGroup();
        group.name = name.strip();
        group.createdAt = Instant.now();
        entityManager.persist(group);
        entityManager.flush();
        audit.record("group.create", "group", group.id.toString(), null, java.util.Map.of("name", group.name));
        return group;
    }

    /** Adds MACs (any common notation); returns how many were new. */
    @Transactional
    public int addMembers(long groupId, Collection<String> macs) {
        requireGroup(groupId);
        int added = 0;
        for (String mac : canonical(macs)) {
            MacGroupMember.Key key = new MacGroupMember.Key();
            key.groupId = groupId;
            key.mac = mac;
            if (entityManager.find(MacGroupMember.class, key) == null) {
                MacGroupMember member = new MacGroupMember();
                member.groupId = groupId;
                member.mac = mac;
                member.addedAt = Instant.now();
                entityManager.persist(member);
                added++;
            }
        }
        audit.record("group.add-members", "group", Long.toString(groupId), null,
                java.util.Map.of("macs", canonical(macs), "added", added));
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

    private void requireGroup(long groupId) {
        if (entityManager.find(MacGroup.class, groupId) == null) {
            throw new NotFoundException("Group " + groupId);
        }
    }

    private static List<String> canonical(Collection<String> macs) {
        List<String> canonical = new ArrayList<>(macs.size());
        for (String mac : macs) {
            canonical.add(Mac.require(mac));
        }
        return canonical;
    }
}
