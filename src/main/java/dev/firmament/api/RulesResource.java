package dev.firmament.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import com.fasterxml.jackson.databind.JsonNode;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.release.ProductService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.targeting.NoFussVersionsFile;
import dev.firmament.targeting.RuleService;
import dev.firmament.targeting.VersionCondition;
import dev.firmament.targeting.VersionRule;

/** The ordered version rules: first match wins, as in a NoFUSS versions.json. */
@Path("/api/v1/tenants/{tenant}/rules")
@Tag(name = "Rules")
@Produces(MediaType.APPLICATION_JSON)
public class RulesResource {

    /**
     * A rule: devices of {@code product}, optionally only {@code macs} and/or members of {@code groups}, whose version
     * is within {@code versionMin}..{@code versionMax} (inclusive) and satisfies {@code versionConditions}, whose
     * NoFUSS build differs from {@code build}, get release {@code releaseId}.
     */
    public record RuleRequest(@Schema(example = "SONOFF_BASIC") String product,
            @Schema(example = "5C:CF:7F:8B:6B:26") String mac, List<String> macs,
            @Schema(example = "[3]") List<Long> groups, @Schema(example = "1.0.0") String versionMin,
            @Schema(example = "1.4.99") String versionMax, List<VersionCondition> versionConditions,
            @Schema(example = "3fe56a4") String build, @Schema(example = "17") Long releaseId,
            @Schema(example = "false") Boolean allowDowngrade) {
    }

    /** A rule as stored. */
    public record RuleView(long id, int position, String productId, List<String> macs, List<Long> groups,
            List<VersionCondition> versionConditions, String build, long releaseId, boolean allowDowngrade,
            Instant createdAt) {
        static RuleView of(VersionRule r) {
            return new RuleView(r.id, r.position, r.productId.toString(), List.of(r.macs), List.of(r.groupIds),
                    r.versionConditions, r.buildNot, r.releaseId, r.allowDowngrade, r.createdAt);
        }
    }

    private final RuleService rules;
    private final ProductService products;
    private final NoFussVersionsFile versionsFile;

    RulesResource(RuleService rules, ProductService products, NoFussVersionsFile versionsFile) {
        this.rules = rules;
        this.products = products;
        this.versionsFile = versionsFile;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "The rules in order")
    public Page<RuleView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(PageCursor.of(rules.list().stream().map(RuleView::of).toList(), "position",
                r -> PageCursor.sortable(r.position()), false, after, PageCursor.limit(limit)), uri);
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Append a rule")
    public RuleView create(@PathParam("tenant") String tenant, RuleRequest request) {
        return RuleView.of(rules.create(spec(request)));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Change a rule, keeping its place")
    public RuleView update(@PathParam("tenant") String tenant, @PathParam("id") long id, RuleRequest request) {
        return RuleView.of(rules.update(id, spec(request)));
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Delete a rule")
    public void delete(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        if (!rules.delete(id)) {
            throw new NotFoundException("Rule " + id);
        }
    }

    @PUT
    @Path("order")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Reorder: the list of every rule id, first rule first")
    public List<RuleView> reorder(@PathParam("tenant") String tenant, List<Long> ids) {
        rules.reorder(Requests.require(ids));
        return rules.list().stream().map(RuleView::of).toList();
    }

    @POST
    @Path("import")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Import a NoFUSS versions.json (all entries or none); ?replace=true replaces every rule")
    public List<RuleView> importFile(@PathParam("tenant") String tenant,
            @QueryParam("replace") @DefaultValue("false") @Parameter(schema = @Schema(type = SchemaType.BOOLEAN)) String replace,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, description = "A NoFUSS versions.json: an array of {origin, target} entries"))) JsonNode file) {
        return versionsFile.importFile(file, Requests.bool(replace, "replace")).stream().map(RuleView::of).toList();
    }

    @GET
    @Path("export")
    @Allowed(Role.VIEWER)
    @Operation(summary = "The rules as a NoFUSS versions.json")
    public JsonNode exportFile(@PathParam("tenant") String tenant) {
        return versionsFile.exportFile();
    }

    private RuleService.RuleSpec spec(RuleRequest request) {
        Requests.require(request);
        if (request.product() == null || request.releaseId() == null) {
            throw new InvalidInputException("missing-field", "product and releaseId are required");
        }
        List<String> macs = new ArrayList<>(request.macs() == null ? List.of() : request.macs());
        if (request.mac() != null) {
            macs.add(request.mac());
        }
        return new RuleService.RuleSpec(products.findByName(request.product()).id, macs, request.groups(),
                request.versionMin(), request.versionMax(), request.versionConditions(), request.build(),
                request.releaseId(), Boolean.TRUE.equals(request.allowDowngrade()));
    }
}
