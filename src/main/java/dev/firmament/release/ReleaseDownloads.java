package dev.firmament.release;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.tenant.TenantContext;

/**
 * A release's images for people (the API and the console): the bytes devices are sent, signature included, named
 * {@code PRODUCT-VERSION.bin} (or {@code -filesystem.bin}), with the SHA-256 as the entity tag.
 */
@ApplicationScoped
public class ReleaseDownloads {

    private final ReleaseService releases;
    private final ProductService products;
    private final ArtifactStore store;
    private final TenantContext tenants;

    ReleaseDownloads(ReleaseService releases, ProductService products, ArtifactStore store, TenantContext tenants) {
        this.releases = releases;
        this.products = products;
        this.store = store;
        this.tenants = tenants;
    }

    /** {@code image} is {@code firmware} or {@code filesystem}; 404 when the release has no such image. */
    public Response download(long releaseId, String image) throws IOException {
        Release release = releases.find(releaseId);
        boolean firmware = switch (image.toLowerCase(Locale.ROOT)) {
        case "firmware" -> true;
        case "filesystem" -> false;
        default -> throw new InvalidInputException("invalid-image-kind", "the image is firmware or filesystem");
        };
        String sha256 = firmware ? release.firmwareSha256 : release.filesystemSha256;
        Long size = firmware ? release.firmwareSize : release.filesystemSize;
        if (sha256 == null) {
            throw new NotFoundException("The " + image + " image of release " + release.version);
        }
        String product = products.namesById().getOrDefault(release.productId, "release");
        String name = (product + "-" + release.version + (firmware ? "" : "-filesystem") + ".bin")
                .replaceAll("[^A-Za-z0-9._-]", "_");
        InputStream content = store.open(tenants.require(), sha256); // a store outage is a 503 before any byte
        Response.ResponseBuilder response = Response.ok(content, "application/octet-stream")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").tag(sha256);
        if (size != null) {
            response.header("Content-Length", size);
        }
        return response.build();
    }
}
