package dev.firmament.console;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.NoFussVersionsFile;
import dev.firmament.targeting.RuleService;
import dev.firmament.targeting.VersionCondition;
import dev.firmament.targeting.VersionRule;

/** The ordered rules: reorder, edit, live match counts, NoFUSS import and export. */
@Path("/console/{tenant}/rules")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class RulesPage {

    /** The rule form as posted: MACs one per line, extra conditions one per line ({@code != 1.2.3}). */
    public static class RuleForm {
        @RestForm
        public String product;
        @RestForm
        public String macs;
        @RestForm
        public List<String> group;
        @RestForm
        public String versionMin;
        @RestForm
        public String versionMax;
        @RestForm
        public String conditions;
        @RestForm
        public String build;
        @RestForm
        public String release;
        @RestForm
        public boolean allowDowngrade;

        static RuleForm of(VersionRule rule, String productName) {
            RuleForm form = new RuleForm();
            form.product = productName;
            form.macs = String.join("\n", rule.macs);
            form.group = Arrays.stream(rule.groupIds).map(String::valueOf).toList();
            form.conditions = String.join("\n",
                    rule.versionConditions.stream().map(c -> c.op() + " " + c.value()).toList());
            form.build = rule.buildNot;
            form.release = String.valueOf(rule.releaseId);
            form.allowDowngrade = rule.allowDowngrade;
            return form;
        }

        public boolean hasGroup(long id) {
            return group != null && group.contains(String.valueOf(id));
        }

        List<String> macList() {
            return macs == null ? List.of() : Arrays.stream(macs.split("[\\s,;]+")).filter(m -> !m.isBlank()).toList();
        }

        List<Long> groupIds() {
            return group == null ? List.of()
                    : group.stream().filter(g -> !g.isBlank()).map(g -> ConsoleForms.id(g, "group")).toList();
        }

        List<VersionCondition> versionConditions() {
            List<VersionCondition> more = new ArrayList<>();
            if (conditions != null) {
                for (String line : conditions.split("\\R")) {
                    String trimmed = line.trim();
                    if (!trimmed.isEmpty()) {
                        String[] parts = trimmed.split("\\s+", 2);
                        if (parts.length < 2) {
                            throw new InvalidInputException("invalid-version-condition",
                                    "A condition is an operator and a version, like '!= 1.2.3'; was: " + trimmed);
                        }
                        more.add(new VersionCondition(parts[0], parts[1].trim()));
                    }
                }
            }
            return VersionCondition.all(ConsoleForms.blankToNull(versionMin), ConsoleForms.blankToNull(versionMax),
                    more);
        }
    }

    /** A rule with its product's and release's names and the devices its conditions match. */
    public record RuleRow(VersionRule rule, String product, String release, long matching) {
        public String conditions() {
            return String.join(", ", rule.versionConditions.stream().map(c -> c.op() + " " + c.value()).toList());
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rules(List<RuleRow> rules, List<Product> products,
                List<GroupService.GroupSummary> groups, List<Release> releases, RuleForm form, Long editing,
                String formError, ImportForm importForm);

        static native TemplateInstance liveCount(String count);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the import form holds when it comes back refused: the pasted text (kept, so nothing is lost), the replace
     * choice, and each refused entry numbered from 1 as people count.
     */
    public record ImportForm(String json, boolean replace, String error, List<String> entries) {

        static final ImportForm EMPTY = new ImportForm(null, false, null, List.of());

        static ImportForm refused(String json, boolean replace, String error,
                List<NoFussVersionsFile.EntryError> errors) {
            return new ImportForm(json, replace, error,
                    errors.stream().map(e -> "entry " + (e.entry() + 1) + ": " + e.error()).toList());
        }
    }

    private final RuleService rules;
    private final ProductService products;
    private final GroupService groups;
    private final ReleaseService releases;
    private final NoFussVersionsFile versionsFile;
    private final ConsoleQueries queries;

    RulesPage(RuleService rules, ProductService products, GroupService groups, ReleaseService releases,
            NoFussVersionsFile versionsFile, ConsoleQueries queries) {
        this.rules = rules;
        this.products = products;
        this.groups = groups;
        this.releases = releases;
        this.versionsFile = versionsFile;
        this.queries = queries;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        return page(new RuleForm(), null, null, ImportForm.EMPTY);
    }

    @GET
    @Path("{id}/edit")
    @Allowed(Role.MAINTAINER)
    public TemplateInstance edit(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        VersionRule rule = rules.require(id);
        return page(RuleForm.of(rule, products.namesById().getOrDefault(rule.productId, "")), id, null,
                ImportForm.EMPTY);
    }

    @POST
    @Allowed(Role.MAINTAINER)
    public Response create(@PathParam("tenant") String tenant, @BeanParam RuleForm form, @Context HttpHeaders headers) {
        return ConsoleResponses.refusedInPlace(() -> {
            VersionRule rule = rules.create(spec(form));
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rules",
                    "Rule added at position " + rule.position);
        }, e -> page(form, null, e.getMessage(), ImportForm.EMPTY));
    }

    @POST
    @Path("{id}")
    @Allowed(Role.MAINTAINER)
    public Response update(@PathParam("tenant") String tenant, @PathParam("id") long id, @BeanParam RuleForm form,
            @Context HttpHeaders headers) {
        return ConsoleResponses.refusedInPlace(() -> {
            rules.update(id, spec(form));
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rules", "Rule saved");
        }, e -> page(form, id, e.getMessage(), ImportForm.EMPTY));
    }

    /** The live count under the rule form: how many registered devices the conditions typed so far match. */
    @POST
    @Path("count")
    @Allowed(Role.VIEWER)
    public TemplateInstance count(@PathParam("tenant") String tenant, @BeanParam RuleForm form) {
        try {
            if (form.product == null || form.product.isBlank()) {
                return Templates.liveCount("Choose a product to see how many devices match");
            }
            long matching = queries.devicesMatching(products.findByName(form.product).id, form.macList(),
                    form.groupIds(), form.versionConditions());
            return Templates.liveCount(matching + " registered devices match these conditions");
        } catch (FirmamentException e) {
            return Templates.liveCount(e.getMessage());
        }
    }

    @POST
    @Path("{id}/delete")
    @Allowed(Role.MAINTAINER)
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") long id, @Context HttpHeaders headers) {
        if (!rules.delete(id)) {
            throw new NotFoundException("Rule " + id);
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rules", "Rule deleted");
    }

    /** Moves a rule one place up or down (first match wins, so order is the whole point). */
    @POST
    @Path("{id}/move")
    @Allowed(Role.MAINTAINER)
    public Response move(@PathParam("tenant") String tenant, @PathParam("id") long id, @RestForm String direction,
            @Context HttpHeaders headers) {
        List<Long> order = new ArrayList<>(rules.list().stream().map(r -> r.id).toList());
        int from = order.indexOf(id);
        if (from < 0) {
            throw new NotFoundException("Rule " + id);
        }
        int to = "up".equals(direction) ? from - 1 : from + 1;
        if (to >= 0 && to < order.size()) {
            order.add(to, order.remove(from));
            rules.reorder(order);
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rules", null);
    }

    /** A NoFUSS versions.json pasted or uploaded: every entry is imported, or none, with each entry's problem. */
    @POST
    @Path("import")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Allowed(Role.MAINTAINER)
    public Response importFile(@PathParam("tenant") String tenant, @RestForm String json, @RestForm FileUpload file,
            @RestForm boolean replace, @Context HttpHeaders headers) throws IOException {
        String text = file != null && file.uploadedFile() != null && file.size() > 0
                ? Files.readString(file.uploadedFile()) : json;
        return ConsoleResponses.refusedInPlace(() -> {
            if (text == null || text.isBlank()) {
                throw new InvalidInputException("missing-file", "Paste a versions.json or choose the file");
            }
            JsonNode parsed;
            try {
                parsed = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new InvalidInputException("invalid-json", "This is not valid JSON: " + jsonProblem(e));
            }
            int imported = versionsFile.importFile(parsed, replace).size();
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rules",
                    imported + " rules imported" + (replace ? ", replacing the earlier ones" : ""));
        }, e -> page(new RuleForm(), null, null, ImportForm.refused(json, replace, e.getMessage(),
                e instanceof NoFussVersionsFile.ImportRefusedException refused ? refused.errors() : List.of())));
    }

    /** The token the parser stumbled on, in its two messages for it. */
    private static final java.util.regex.Pattern UNEXPECTED_TOKEN = java.util.regex.Pattern
            .compile("(?:Unexpected character \\('|Unrecognized token ')(.{1,20}?)'");

    /** Where and what, in words rather than the parser's ("Unexpected character ('n' (code 110))"). */
    static String jsonProblem(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        java.util.regex.Matcher unexpected = UNEXPECTED_TOKEN.matcher(message);
        if (message.startsWith("Unexpected end-of-input")) {
            return "it ends early" + where + " (a bracket, brace or quote is not closed)";
        }
        if (unexpected.find()) {
            return "unexpected \u201c" + unexpected.group(1) + "\u201d" + where
                    + " (is a quote, comma or bracket missing before it?)";
        }
        return "the text cannot be read as JSON" + where;
    }

    @GET
    @Path("export.json")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(Role.VIEWER)
    public Response export(@PathParam("tenant") String tenant) {
        return Response.ok(versionsFile.exportFile())
                .header("Content-Disposition", "attachment; filename=\"versions.json\"").build();
    }

    private TemplateInstance page(RuleForm form, Long editing, String formError, ImportForm importForm) {
        List<Product> allProducts = products.list();
        Map<UUID, String> productNames = allProducts.stream()
                .collect(java.util.stream.Collectors.toMap(p -> p.id, p -> p.name));
        List<Release> allReleases = releases.list();
        Map<Long, String> versions = Release.versionsById(allReleases);
        List<VersionRule> all = rules.list();
        Map<Long, Long> matching = queries.devicesMatching(all);
        List<RuleRow> rows = all.stream().map(rule -> new RuleRow(rule, productNames.getOrDefault(rule.productId, ""),
                versions.getOrDefault(rule.releaseId, "#" + rule.releaseId), matching.get(rule.id))).toList();
        return Templates.rules(rows, allProducts, groups.list(), allReleases, form, editing, formError, importForm);
    }

    private RuleService.RuleSpec spec(RuleForm form) {
        if (form.product == null || form.product.isBlank()) {
            throw new InvalidInputException("missing-field", "Choose the product the rule is for");
        }
        return new RuleService.RuleSpec(products.findByName(form.product).id, form.macList(), form.groupIds(), null,
                null, form.versionConditions(), ConsoleForms.blankToNull(form.build),
                ConsoleForms.requiredRelease(form.release), form.allowDowngrade);
    }
}
