package dev.firmament.api;

import java.time.Instant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.security.AccountMail;
import dev.firmament.security.Allowed;
import dev.firmament.security.Caller;
import dev.firmament.security.CurrentCaller;
import dev.firmament.security.LocalAccounts;

/** Password-reset links for people's local accounts, issued by platform administrators. */
@Path("/api/v1/password-resets")
@Tag(name = "Tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PasswordResetsResource {

    /** The person whose password is to be reset. */
    public record PasswordResetRequest(@NotBlank @Size(max = 254) @Schema(example = "jane@acme.example") String email) {
    }

    /** A password-reset link, returned this once. */
    public record PasswordResetView(String email, String resetUrl, Instant expiresAt) {
    }

    private final LocalAccounts accounts;
    private final AccountMail mail;
    private final CurrentCaller caller;

    PasswordResetsResource(LocalAccounts accounts, AccountMail mail, CurrentCaller caller) {
        this.accounts = accounts;
        this.mail = mail;
        this.caller = caller;
    }

    @POST
    @ResponseStatus(201)
    @Allowed(platformAdmin = true)
    @Operation(summary = "Issue a password-reset link for a person", description = "A one-time link on which the"
            + " person chooses a new password; earlier unused links of theirs stop working. Audited in the platform"
            + " chain.")
    public PasswordResetView create(@Valid PasswordResetRequest request, @Context UriInfo uri) {
        Requests.require(request);
        LocalAccounts.IssuedReset issued = accounts.issuePasswordReset(request.email(),
                caller.get().map(Caller::name).orElse("unknown"));
        AccountMail.Delivered link = mail.deliver(issued, uri.getBaseUri());
        return new PasswordResetView(issued.email(), link.url(), link.expiresAt());
    }
}
