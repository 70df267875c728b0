package dev.firmament.release;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.release.artifact.StoredArtifact;
import dev.firmament.targeting.FleetChanges;
import dev.firmament.tenant.TenantContext;

/** Creates releases: images streamed into the artifact store, validated and hashed on the way. */
@ApplicationScoped
public class ReleaseService {

    /** Printable ASCII without spaces: what firmware reports in {@code x-ESP8266-version} and NoFUSS. */
    static final Pattern VERSION = Pattern.compile("[\\x21-\\x7e]{1,64}");

    private final ReleaseRepository releases;
    private final ProductRepository products;
    private final ArtifactStore store;
    private final FleetChanges changes;
    private final TenantContext tenants;
    private final long maxImageSize;

    ReleaseService(ReleaseRepository releases, ProductRepository products, ArtifactStore store, FleetChanges changes,
            TenantContext tenants, @ConfigProperty(name = "firmament.releases.max-image-size") long maxImageSize) {
        this.releases = releases;
        this.products = products;
        this.store = store;
        this.changes = changes;
        this.tenants = tenants;
        this.maxImageSize = maxImageSize;
    }

    /**
     * Stores the images, then records the release. The uploads are streamed into the store before the database
     * transaction starts, so a slow upload holds no connection; if recording fails, objects no other release uses are
     * removed again.
     */
    public Release create(String productName, String version, String notes, InputStream firmware,
            InputStream filesystem) throws IOException {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("A version is 1 to 64 printable characters without spaces");
        }
        if (firmware == null && filesystem == null) {
            throw new InvalidImageException("A release needs a firmware image, a filesystem image, or both");
        }
        UUID tenant = tenants.require();
        UUID productId = QuarkusTransaction.requiringNew().call(() -> products.findByName(productName)
                .orElseThrow(() -> new IllegalArgumentException("No product named " + productName)).id);
        StoredArtifact firmwareImage = firmware == null ? null
                : store.put(tenant, ImageValidation.firmware(firmware), maxImageSize);
        StoredArtifact filesystemImage = filesystem == null ? null
                : store.put(tenant, ImageValidation.filesystem(filesystem), maxImageSize);
        try {
            return QuarkusTransaction.requiringNew()
                    .call(() -> record(productId, version, notes, firmwareImage, filesystemImage));
        } catch (RuntimeException e) {
            removeUnreferenced(tenant, firmwareImage);
            removeUnreferenced(tenant, filesystemImage);
            throw e;
        }
    }

    @Transactional
    public List<Release> list() {
        return releases.listAll(io.quarkus.panache.common.Sort.by("id"));
    }

    private Release record(UUID productId, String version, String notes, StoredArtifact firmware,
            StoredArtifact filesystem) {
        if (releases.count("productId = ?1 and version = ?2", productId, version) > 0) {
            throw new IllegalStateException("This product already has a release " + version);
        }
        Release release = new Release();
        release.productId = productId;
        release.version = version;
        release.notes = notes;
        if (firmware != null) {
            release.firmwareSha256 = firmware.sha256();
            release.firmwareMd5 = firmware.md5();
            release.firmwareSize = firmware.size();
        }
        if (filesystem != null) {
            release.filesystemSha256 = filesystem.sha256();
            release.filesystemMd5 = filesystem.md5();
            release.filesystemSize = filesystem.size();
        }
        release.createdAt = Instant.now();
        releases.persist(release);
        changes.currentTenantChanged();
        return release;
    }

    private void removeUnreferenced(UUID tenant, StoredArtifact artifact) {
        if (artifact == null) {
            return;
        }
        long references = QuarkusTransaction.requiringNew()
                .call(() -> releases.count("firmwareSha256 = ?1 or filesystemSha256 = ?1", artifact.sha256()));
        if (references == 0) {
            try {
                store.delete(tenant, artifact.sha256());
            } catch (IOException e) {
                org.jboss.logging.Logger.getLogger(ReleaseService.class).warnf(e,
                        "Could not remove unreferenced object %s", artifact.sha256());
            }
        }
    }
}
