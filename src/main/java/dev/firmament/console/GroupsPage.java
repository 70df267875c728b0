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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.errors.FirmamentException;
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

        static native TemplateInstance group(GroupService.GroupSummary group, List<String> members, int shown,
                GroupService.ImportResult imported);
    }

    private static final int MEMBERS_SHOWN = 2000;

    private final GroupService groups;

    GroupsPage(GroupService groups) {
        this.groups = groups;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        return Templates.groups(groups.list(), null, null, null);
    }

    @POST
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response create(@PathParam("tenant") String tenant, @RestForm String name, @Context HttpHeaders headers) {
        MacGroup group;
        try {
            group = groups.create(name);
        } catch (FirmamentException e) {
            // In place, with what was typed, and a link to the group it collides with.
            List<GroupService.GroupSummary> all = groups.list();
            GroupService.GroupSummary conflicting = name == null ? null
                    : all.stream().filter(g -> g.name().equals(name.strip())).findFirst().orElse(null);
            return Response.status(e.status()).entity(Templates.groups(all, name, e.getMessage(), conflicting)).build();
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/groups/" + group.id,
                "Group " + group.name + " created");
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance group(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return page(id, null);
    }

    /** MACs pasted or from a file (first column of a CSV), in any common notation; each bad line is reported. */
    @POST
    @Path("{id}/members")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response addMembers(@PathParam("tenant") String tenant, @PathParam("id") long id, @RestForm String macs,
            @RestForm FileUpload file) throws IOException {
        String text = file != null && file.uploadedFile() != null && file.size() > 0
                ? Files.readString(file.uploadedFile()) : macs;
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing-macs", "Paste MAC addresses or choose a file");
        }
        GroupService.ImportResult result = groups.importMembers(id, text);
        return Response.status(result.errors().isEmpty() ? 200 : 422).entity(page(id, result)).build();
    }

    @POST
    @Path("{id}/members/remove")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response removeMember(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @RestForm List<String> mac, @Context HttpHeaders headers) {
        int removed = groups.removeMembers(id, mac == null ? List.of() : mac);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/groups/" + id, removed + " removed");
    }

    @POST
    @Path("{id}/delete")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") long id, @Context HttpHeaders headers) {
        groups.delete(id);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/groups", "Group deleted");
    }

    private TemplateInstance page(long id, GroupService.ImportResult imported) {
        GroupService.GroupSummary group = groups.list().stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new NotFoundException("Group " + id));
        List<String> members = groups.members(id);
        return Templates.group(group, members.subList(0, Math.min(members.size(), MEMBERS_SHOWN)),
                Math.min(members.size(), MEMBERS_SHOWN), imported);
    }
}
