package dev.firmament.api;

import java.time.Instant;
import java.util.Optional;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.Ids;
import dev.firmament.security.AccountMail;
import dev.firmament.security.Allowed;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;

/** People of a tenant and their roles. Owners manage them; a tenant always keeps one owner. */
@Path("/api/v1/tenants/{tenant}/members")
@Tag(name = "Members")
@Produces(MediaType.APPLICATION_JSON)
public class MembersResource {

    /** A person to add, by e-mail, and their role: owner, maintainer or viewer. */
    public record MemberRequest(@NotBlank @Size(max = 254) @Schema(example = "jane@example.com") String email,
            @NotBlank @Schema(example = "maintainer", enumeration = {
                    "owner", "maintainer", "viewer" }) String role){
    }

    /** A new role. */
    public record RoleRequest(@NotBlank String role) {
    }

    /** A member. */
    public record MemberView(String id, String email, String role, Instant createdAt) {
        static MemberView of(MemberService.MemberEntry entry) {
            return new MemberView(entry.member().id.toString(), entry.email(), entry.member().role,
                    entry.member().createdAt);
        }
    }

    /**
     * A member just added. Only when this addition created the person: the one-time link on which they choose their
     * password ({@code invitationUrl}, returned this once) and when it expires; null for people who already existed.
     */
    public record AddedMemberView(String id, String email, String role, Instant createdAt, String invitationUrl,
            Instant invitationExpiresAt) {
        static AddedMemberView of(MemberService.Added added, Optional<AccountMail.Delivered> invitation) {
            MemberView member = MemberView.of(added.entry());
            return new AddedMemberView(member.id(), member.email(), member.role(), member.createdAt(),
                    invitation.map(AccountMail.Delivered::url).orElse(null),
                    invitation.map(AccountMail.Delivered::expiresAt).orElse(null));
        }
    }

    private final MemberService members;
    private final AccountMail mail;

    MembersResource(MemberService members, AccountMail mail) {
        this.members = members;
        this.mail = mail;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "List members")
    public Page<MemberView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(PageCursor.of(members.list().stream().map(MemberView::of).toList(), "email",
                m -> m.email() + "\u0000" + m.id(), false, after, PageCursor.limit(limit)), uri);
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OWNER)
    @Operation(summary = "Add a person by e-mail", description = "A person who exists already (in any tenant, or"
            + " through single sign-on) gets the membership and nothing else. A person this addition creates gets a"
            + " one-time invitation link, returned once as invitationUrl, on which they choose their password.")
    public AddedMemberView add(@PathParam("tenant") String tenant, @Valid MemberRequest request, @Context UriInfo uri) {
        Requests.require(request);
        MemberService.Added added = members.add(request.email(),
                request.role() == null ? null : Role.parse(request.role()));
        return AddedMemberView.of(added, mail.deliver(added, tenant, uri.getBaseUri()));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OWNER)
    @Operation(summary = "Change a member's role (the last owner stays owner)")
    public MemberView changeRole(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Valid RoleRequest request) {
        Requests.require(request);
        return MemberView.of(members.changeRole(Ids.uuid(id, "Member"), Role.parse(request.role())));
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    @Allowed(Role.OWNER)
    @Operation(summary = "Remove a member (not the last owner)")
    public void remove(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        members.remove(Ids.uuid(id, "Member"));
    }
}
