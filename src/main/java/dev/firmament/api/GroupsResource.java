package dev.firmament.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.db.PageCursor;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.MacGroup;

/** MAC groups: sites, canaries, customers. */
@Path("/api/v1/tenants/{tenant}/groups")
@Tag(name = "Groups")
@Produces(MediaType.APPLICATION_JSON)
public class GroupsResource {

    /** A new group. */
    public record GroupRequest(@Schema(example = "canaries") String name) {
    }

    /** MACs to add or remove. */
    public record MembersRequest(
            @Schema(example = "[\"5C:CF:7F:8B:6B:26\", \"5C:CF:7F:8B:6B:27\"]") List<String> macs) {
    }

    /** A group. */
    public record GroupView(long id, String name, long members, Instant createdAt) {
    }

    /** How many MACs a removal took out. */
    public record RemovedView(int removed) {
    }

    private final GroupService groups;

    GroupsResource(GroupService groups) {
        this.groups = groups;
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Create a group")
    public GroupView create(@PathParam("tenant") String tenant, GroupRequest request) {
        MacGroup group = groups.create(Requests.require(request).name());
        return new GroupView(group.id, group.name, 0, group.createdAt);
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "List groups with their sizes")
    public Page<GroupView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        List<GroupView> all = groups.list().stream()
                .map(g -> new GroupView(g.id(), g.name(), g.members(), g.createdAt())).toList();
        return Page.of(PageCursor.of(all, "name", GroupView::name, false, after, PageCursor.limit(limit)), uri);
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Delete a group no rule or device key uses (409 otherwise)")
    public void delete(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        groups.delete(id);
    }

    @GET
    @Path("{id}/members")
    @Allowed(Role.VIEWER)
    @Operation(summary = "The group's MACs, in order, paged")
    public Page<String> members(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(groups.members(id, after, PageCursor.limit(limit)), uri);
    }

    @POST
    @Path("{id}/members")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Add MACs {macs:[...]}; each line is reported, valid ones are kept")
    public GroupService.ImportResult addJson(@PathParam("tenant") String tenant, @PathParam("id") long id,
            MembersRequest request) {
        List<String> macs = Requests.require(request).macs() == null ? List.of() : request.macs();
        return groups.importMembers(id, String.join("\n", macs));
    }

    @POST
    @Path("{id}/members")
    @Consumes({ MediaType.TEXT_PLAIN, "text/csv" })
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Add MACs from pasted text or a CSV file, one per line (first column)")
    public GroupService.ImportResult addText(@PathParam("tenant") String tenant, @PathParam("id") long id,
            String text) {
        return groups.importMembers(id, text);
    }

    @POST
    @Path("{id}/members/remove")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Remove MACs {macs:[...]}")
    public RemovedView remove(@PathParam("tenant") String tenant, @PathParam("id") long id, MembersRequest request) {
        List<String> macs = Requests.require(request).macs() == null ? List.of() : request.macs();
        return new RemovedView(groups.removeMembers(id, macs));
    }
}
