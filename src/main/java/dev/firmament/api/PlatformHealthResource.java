package dev.firmament.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.firmament.ops.DatabaseProbe;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.security.Allowed;

/** What {@code /q/health} does not tell anonymous callers: where the store is and why a dependency fails. */
@Path("/api/v1/platform/health")
@Tag(name = "Tenants")
@Produces(MediaType.APPLICATION_JSON)
public class PlatformHealthResource {

    /** One dependency: whether it answers, and if not, why. */
    public record Dependency(boolean up, String description, String error) {
    }

    private final ArtifactStore store;
    private final DatabaseProbe database;

    PlatformHealthResource(ArtifactStore store, DatabaseProbe database) {
        this.store = store;
        this.database = database;
    }

    @GET
    @Allowed(platformAdmin = true)
    @Operation(summary = "Health details for platform administrators (store location, failure reasons)")
    public Map<String, Dependency> health() {
        Map<String, Dependency> health = new LinkedHashMap<>();
        String databaseFailure = database.failure();
        health.put("database", new Dependency(databaseFailure == null, "PostgreSQL", databaseFailure));
        String storeFailure = null;
        try {
            store.checkAvailable();
        } catch (Exception e) {
            storeFailure = String.valueOf(e.getMessage());
        }
        health.put("artifactStore", new Dependency(storeFailure == null, store.describe(), storeFailure));
        return health;
    }
}
