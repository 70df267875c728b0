package dev.firmament.audit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The public key that audit checkpoints verify with, at a stable address anyone may fetch: an auditor should not need
 * an account to check what the operator hands over.
 */
@Path("/audit/public-key.pem")
@Tag(name = "Audit")
public class AuditKeyResource {

    private final AuditSigningKey key;

    AuditKeyResource(AuditSigningKey key) {
        this.key = key;
    }

    @GET
    @Produces("application/x-pem-file")
    @Operation(summary = "The Ed25519 public key of audit checkpoints (SPKI PEM); X-Key-Id is the id checkpoints name")
    public Response publicKey() {
        return Response.ok(key.publicKeyPem()).header("X-Key-Id", key.keyId()).header("Cache-Control", "max-age=300")
                .build();
    }
}
