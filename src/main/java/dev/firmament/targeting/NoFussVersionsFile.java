package dev.firmament.targeting;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.firmament.device.Mac;
import dev.firmament.errors.FirmamentException;
import dev.firmament.release.Product;
import dev.firmament.release.Release;

/**
 * A NoFUSS server's {@code versions.json}, read into rules and written back from them. Reading follows the PHP server
 * (0.3.0): entries in order, {@code device} required and exact, {@code mac} a string or list, {@code "*"} meaning any,
 * {@code gt ge lt le eq} as PHP's {@code version_compare}, {@code min} inclusive and {@code max} inclusive (as servers
 * up to 0.2.7 and the README read it; 0.3.0's strict {@code max} cannot match its own example), {@code build_not} (or
 * 0.2.6's {@code build}) "must differ". The target names a release by its version: upload the images first.
 */
@ApplicationScoped
public class NoFussVersionsFile {

    private static final Map<String, String> OPERATORS = Map.of("gt", ">", "ge", ">=", "min", ">=", "lt", "<", "le",
            "<=", "max", "<=", "eq", "==");
    private static final Map<String, String> KEYWORDS = Map.of(">", "gt", ">=", "ge", "<", "lt", "<=", "le", "==", "eq",
            "!=", "ne");

    private final EntityManager entityManager;
    private final RuleService rules;

    NoFussVersionsFile(EntityManager entityManager, RuleService rules) {
        this.entityManager = entityManager;
        this.rules = rules;
    }

    /** One entry the import refused (0-based index in the file), with why. */
    public record EntryError(int entry, String error) {
    }

    /** Every refused entry of an import that therefore changed nothing. */
    public static class ImportRefusedException extends FirmamentException {
        private final List<EntryError> errors;

        ImportRefusedException(List<EntryError> errors) {
            super("invalid-versions-file", errors.size() + " entr" + (errors.size() == 1 ? "y" : "ies")
                    + " could not be imported; nothing was changed (see errors)");
            this.errors = errors;
        }

        @Override
        public List<EntryError> errors() {
            return errors;
        }

        @Override
        public int status() {
            return 400;
        }
    }

    /** Imports every entry or none; returns the created rules in file order. */
    @Transactional
    public List<VersionRule> importFile(JsonNode file, boolean replace) {
        if (file == null || !file.isArray()) {
            throw new ImportRefusedException(List.of(new EntryError(-1, "a versions.json is a JSON array")));
        }
        List<RuleService.RuleSpec> specs = new ArrayList<>();
        List<EntryError> errors = new ArrayList<>();
        for (int i = 0; i < file.size(); i++) {
            try {
                specs.add(spec(file.get(i)));
            } catch (FirmamentException | IllegalArgumentException e) {
                errors.add(new EntryError(i, e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ImportRefusedException(errors);
        }
        return rules.createAll(specs, replace, "versions.json (" + specs.size() + " entries)");
    }

    /** The current rules as a {@code versions.json}; group filters become the groups' current MACs. */
    @Transactional
    public ArrayNode exportFile() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode file = json.arrayNode();
        for (VersionRule rule : rules.list()) {
            ObjectNode origin = json.objectNode();
            origin.put("device", entityManager.find(Product.class, rule.productId).name);
            List<String> macs = macsOf(rule);
            if (macs != null) {
                ArrayNode list = origin.putArray("mac");
                macs.forEach(list::add);
            }
            for (VersionCondition condition : rule.versionConditions) {
                origin.put(KEYWORDS.get(condition.op()), condition.value());
            }
            if (rule.buildNot != null) {
                origin.put("build_not", rule.buildNot);
            }
            if (rule.allowDowngrade) {
                origin.put("allow_downgrade", true); // Firmament's own; NoFUSS servers ignore unknown keys
            }
            Release release = entityManager.find(Release.class, rule.releaseId);
            ObjectNode target = json.objectNode();
            target.put("version", release.version);
            target.put("firmware", release.firmwareSha256 == null ? "" : "/dl/" + release.id + "/fw");
            target.put("spiffs", release.filesystemSha256 == null ? "" : "/dl/" + release.id + "/fs");
            ObjectNode entry = file.addObject();
            entry.set("origin", origin);
            entry.set("target", target);
        }
        return file;
    }

    private RuleService.RuleSpec spec(JsonNode entry) {
        JsonNode origin = entry == null ? null : entry.get("origin");
        JsonNode target = entry == null ? null : entry.get("target");
        if (origin == null || !origin.isObject() || target == null || !target.isObject()) {
            throw new IllegalArgumentException("an entry has an origin object and a target object");
        }
        String device = text(origin, "device");
        if (device == null || device.equals("*")) {
            throw new IllegalArgumentException("origin.device is required (NoFUSS 0.2.6+ never matches without it)");
        }
        Product product = entityManager.createQuery("from Product where name = ?1", Product.class)
                .setParameter(1, device).getResultStream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no product " + device + ": create it first"));
        String version = text(target, "version");
        if (version == null) {
            throw new IllegalArgumentException("target.version is required");
        }
        Release release = entityManager.createQuery("from Release where productId = ?1 and version = ?2", Release.class)
                .setParameter(1, product.id).setParameter(2, version).getResultStream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no release " + version + " of " + device + ": upload its images first"));
        List<String> macs = new ArrayList<>();
        JsonNode mac = origin.get("mac");
        if (mac != null && mac.isArray()) {
            mac.forEach(m -> macs.add(Mac.require(m.asText())));
        } else if (mac != null && !mac.asText().equals("*")) {
            macs.add(Mac.require(mac.asText()));
        }
        List<VersionCondition> conditions = new ArrayList<>();
        for (var keyword : List.of("gt", "ge", "min", "lt", "max", "le", "eq")) {
            String bound = text(origin, keyword);
            if (bound != null && !bound.equals("*")) {
                conditions.add(new VersionCondition(OPERATORS.get(keyword), bound));
            }
        }
        String build = text(origin, "build_not") != null ? text(origin, "build_not") : text(origin, "build");
        return new RuleService.RuleSpec(product.id, macs, List.of(), null, null, conditions,
                build == null || build.equals("*") ? null : build, release.id,
                origin.path("allow_downgrade").asBoolean(false));
    }

    private List<String> macsOf(VersionRule rule) {
        if (rule.groupIds.length == 0) {
            return rule.macs.length == 0 ? null : List.of(rule.macs);
        }
        Set<String> members = new java.util.TreeSet<>(
                entityManager.createQuery("select m.mac from MacGroupMember m where m.groupId in ?1", String.class)
                        .setParameter(1, List.of(rule.groupIds)).getResultList());
        if (rule.macs.length > 0) {
            members.retainAll(Set.of(rule.macs));
        }
        return List.copyOf(members);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
