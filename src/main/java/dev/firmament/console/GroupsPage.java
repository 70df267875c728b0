package dev.firmament.console;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.device.DeviceQueries;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.MacGroup;

/** MAC groups: create, paste or upload MAC lists with feedback per line, members. */
@Path("/console/{tenant}/groups")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class GroupsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance groups(List<GroupService.GroupSummary> groups, String typed, String error,
                GroupService.GroupSummary conflicting);

        static native TemplateInstance group(GroupService.GroupSummary group, Members members,
                GroupService.ImportResult imported);
    }

    /** One page of members as searched, the link to the next, and a refusal of the removal form, if any. */
    public record Members(String q, List<DeviceQueries.GroupMember> items, String next, String error) {
    }

    private static final int MEMBERS_SHOWN = 100;

    private final GroupService groups;
    private final DeviceQueries devices;

    GroupsPage(GroupService groups, DeviceQueries devices) {
        this.groups = groups;
        this.devices = devices;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        return Templates.groups(groups.list(), null, null, null);
    }

    @POST
    @Allowed(Role.MAINTAINER)
    public Response create(@PathParam("tenant") String tenant, @RestForm String name, @Context HttpHeaders headers) {
        return ConsoleResponses.refusedInPlace(() -> {
            MacGroup group = groups.create(name);
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/groups/" + group.id,
                    "Group " + group.name + " created");
        }, e -> {
            // In place, with what was typed, and a link to the group it collides with.
            List<GroupService.GroupSummary> all = groups.list();
            GroupService.GroupSummary conflicting = name == null ? null
                    : all.stream().filter(g -> g.name().equals(name.strip())).findFirst().orElse(null);
            return Templates.groups(all, name, e.getMessage(), conflicting);
        });
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    public TemplateInstance group(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("q") String q, @QueryParam("after") String after) {
        return page(id, null, q, after, null);
    }

    /** MACs pasted or from a file (first column of a CSV), in any common notation; each bad line is reported. */
    @POST
    @Path("{id}/members")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Allowed(Role.MAINTAINER)
    public Response addMembers(@PathParam("tenant") String tenant, @PathParam("id") long id, @RestForm String macs,
            @RestForm FileUpload file) throws IOException {
        String text = file != null && file.uploadedFile() != null && file.size() > 0
                ? Files.readString(file.uploadedFile()) : macs;
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing-macs", "Paste MAC addresses or choose a file");
        }
        GroupService.ImportResult result = groups.importMembers(id, text);
        return Response.status(result.errors().isEmpty() ? 200 : 422).entity(page(id, result, null, null, null))
                .build();
    }

    @POST
    @Path("{id}/members/remove")
    @Allowed(Role.MAINTAINER)
    public Response removeMember(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @RestForm List<String> mac, @RestForm String q, @Context HttpHeaders headers) {
        if (mac == null || mac.isEmpty()) {
            // Said on the same search, not on a page of its own.
            return Response.status(422).entity(page(id, null, q, null, "Tick at least one member first")).build();
        }
        int removed = groups.removeMembers(id, mac);
        return ConsoleResponses.redirect(headers,
                "/console/" + tenant + "/groups/" + id
                        + ConsoleForms.queryString(java.util.Collections.singletonMap("q", q)),
                removed + (removed == 1 ? " member" : " members") + " removed from the group");
    }

    @POST
    @Path("{id}/delete")
    @Allowed(Role.MAINTAINER)
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") long id, @Context HttpHeaders headers) {
        groups.delete(id);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/groups", "Group deleted");
    }

    private TemplateInstance page(long id, GroupService.ImportResult imported, String q, String after,
            String removeError) {
        GroupService.GroupSummary group = groups.list().stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new NotFoundException("Group " + id));
        var slice = devices.groupMembers(id, q, after, MEMBERS_SHOWN);
        var query = new java.util.HashMap<String, String>();
        query.put("q", q);
        query.put("after", slice.next());
        String next = slice.next() == null ? null : ConsoleForms.queryString(query);
        return Templates.group(group, new Members(q == null ? "" : q, slice.items(), next, removeError), imported);
    }
}
