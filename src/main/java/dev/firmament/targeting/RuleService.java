package dev.firmament.targeting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.device.Mac;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.Product;
import dev.firmament.release.Release;

/** The ordered version rules of the current tenant. */
@ApplicationScoped
public class RuleService {

    private final EntityManager entityManager;
    private final FleetChanges changes;
    private final AuditService audit;

    RuleService(EntityManager entityManager, FleetChanges changes, AuditService audit) {
        this.entityManager = entityManager;
        this.changes = changes;
        this.audit = audit;
    }

    /** What a rule says; {@code versionMin}/{@code versionMax} are inclusive shorthands for two conditions. */
    public record RuleSpec(UUID productId, List<String> macs, List<Long> groupIds, String versionMin, String versionMax,
            List<VersionCondition> versionConditions, String buildNot, long releaseId, boolean allowDowngrade) {
    }

    /** Appends a rule at the end of the list. */
    @Transactional
    public VersionRule create(RuleSpec spec) {
        VersionRule rule = new VersionRule();
        apply(rule, spec);
        Integer last = entityManager.createQuery("select max(position) from VersionRule", Integer.class)
                .getSingleResult();
        rule.position = last == null ? 1 : last + 1;
        rule.createdAt = Instant.now();
        entityManager.persist(rule);
        entityManager.flush();
        audit.record("rule.create", "rule", rule.id.toString(), null, view(rule));
        changes.currentTenantChanged();
        return rule;
    }

    /** Changes a rule in place, keeping its position. */
    @Transactional
    public VersionRule update(long id, RuleSpec spec) {
        VersionRule rule = require(id);
        var before = view(rule);
        apply(rule, spec);
        audit.record("rule.update", "rule", Long.toString(id), before, view(rule));
        changes.currentTenantChanged();
        return rule;
    }

    /**
     * Adds many rules at once, after the existing ones or replacing them: one transaction, one audit event. Used by the
     * NoFUSS import, which validates every entry before calling this.
     */
    @Transactional
    public List<VersionRule> createAll(List<RuleSpec> specs, boolean replace, String source) {
        List<Long> replaced = List.of();
        if (replace) {
            replaced = list().stream().map(r -> r.id).toList();
            entityManager.createQuery("delete from VersionRule").executeUpdate();
        }
        Integer last = entityManager.createQuery("select max(position) from VersionRule", Integer.class)
                .getSingleResult();
        int position = last == null ? 0 : last;
        List<VersionRule> created = new ArrayList<>();
        for (RuleSpec spec : specs) {
            VersionRule rule = new VersionRule();
            apply(rule, spec);
            rule.position = ++position;
            rule.createdAt = Instant.now();
            entityManager.persist(rule);
            created.add(rule);
        }
        entityManager.flush();
        audit.record("rule.import", "rules", source, replace ? java.util.Map.of("replacedRuleIds", replaced) : null,
                java.util.Map.of("createdRuleIds", created.stream().map(r -> r.id).toList()));
        changes.currentTenantChanged();
        return created;
    }

    public VersionRule require(long id) {
        VersionRule rule = entityManager.find(VersionRule.class, id);
        if (rule == null) {
            throw new dev.firmament.errors.NotFoundException("Rule " + id);
        }
        return rule;
    }

    @Transactional
    public List<VersionRule> list() {
        return entityManager.createQuery("from VersionRule order by position", VersionRule.class).getResultList();
    }

    @Transactional
    public boolean delete(long id) {
        VersionRule rule = entityManager.find(VersionRule.class, id);
        if (rule == null) {
            return false;
        }
        entityManager.remove(rule);
        audit.record("rule.delete", "rule", Long.toString(id), view(rule), null);
        changes.currentTenantChanged();
        return true;
    }

    /** Puts the rules in the given order; the list must name every rule exactly once. */
    @Transactional
    public void reorder(List<Long> ids) {
        List<VersionRule> rules = list();
        if (ids.size() != rules.size() || !ids.containsAll(rules.stream().map(r -> r.id).toList())
                || ids.stream().distinct().count() != ids.size()) {
            throw new InvalidInputException("invalid-order", "The new order must name every rule exactly once");
        }
        List<Long> before = rules.stream().map(r -> r.id).toList();
        for (VersionRule rule : rules) {
            rule.position = ids.indexOf(rule.id) + 1; // the unique position key is checked at commit
        }
        audit.record("rule.reorder", "rules", "order", java.util.Map.of("order", before),
                java.util.Map.of("order", ids));
        changes.currentTenantChanged();
    }

    static java.util.Map<String, Object> view(VersionRule rule) {
        java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("position", rule.position);
        view.put("productId", rule.productId.toString());
        view.put("macs", List.of(rule.macs));
        view.put("groupIds", List.of(rule.groupIds));
        view.put("versionConditions", rule.versionConditions);
        view.put("buildNot", rule.buildNot);
        view.put("releaseId", rule.releaseId);
        view.put("allowDowngrade", rule.allowDowngrade);
        return view;
    }

    private void apply(VersionRule rule, RuleSpec spec) {
        if (spec.productId() == null || entityManager.find(Product.class, spec.productId()) == null) {
            throw new InvalidInputException("unknown-product", "No product " + spec.productId());
        }
        if (entityManager.find(Release.class, spec.releaseId()) == null) {
            throw new InvalidInputException("unknown-release", "No release " + spec.releaseId());
        }
        for (Long groupId : spec.groupIds() == null ? List.<Long> of() : spec.groupIds()) {
            if (entityManager.find(MacGroup.class, groupId) == null) {
                throw new InvalidInputException("unknown-group", "No group " + groupId);
            }
        }
        List<VersionCondition> conditions = VersionCondition.all(spec.versionMin(), spec.versionMax(),
                spec.versionConditions());
        String contradiction = VersionCondition.contradiction(conditions);
        if (contradiction != null) {
            throw new InvalidInputException("empty-version-range", "The rule would match no device: " + contradiction);
        }
        if (spec.buildNot() != null && (spec.buildNot().isEmpty() || spec.buildNot().length() > 64)) {
            throw new InvalidInputException("invalid-build", "buildNot is 1 to 64 characters");
        }
        rule.productId = spec.productId();
        rule.macs = (spec.macs() == null ? List.<String> of() : spec.macs()).stream().map(Mac::require).distinct()
                .toArray(String[]::new);
        rule.groupIds = (spec.groupIds() == null ? List.<Long> of() : spec.groupIds()).toArray(Long[]::new);
        rule.versionConditions = conditions;
        rule.buildNot = spec.buildNot();
        rule.releaseId = spec.releaseId();
        rule.allowDowngrade = spec.allowDowngrade();
    }
}
