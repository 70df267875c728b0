package dev.firmament.release;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.firmament.audit.AuditService;
import dev.firmament.db.PageCursor;
import dev.firmament.errors.ConflictException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.errors.PayloadTooLargeException;
import dev.firmament.errors.PlainText;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.release.artifact.ArtifactTooLargeException;
import dev.firmament.release.artifact.StoredArtifact;
import dev.firmament.targeting.FleetChanges;
import dev.firmament.tenant.TenantContext;

/** Creates releases: images streamed into the artifact store, validated and hashed on the way. */
@ApplicationScoped
public class ReleaseService {

    /** Printable ASCII without spaces: what firmware reports in {@code x-ESP8266-version} and NoFUSS. */
    static final Pattern VERSION = Pattern.compile("[\\x21-\\x7e]{1,64}");

    private final ReleaseRepository releases;
    private final ProductService products;
    private final ArtifactStore store;
    private final FleetChanges changes;
    private final TenantContext tenants;
    private final long maxImageSize;
    private final AuditService audit;
    private final ReleaseSigning signing;

    ReleaseService(ReleaseRepository releases, ProductService products, ArtifactStore store, FleetChanges changes,
            TenantContext tenants, ReleasesConfig config, AuditService audit, ReleaseSigning signing) {
        this.audit = audit;
        this.signing = signing;
        this.releases = releases;
        this.products = products;
        this.store = store;
        this.changes = changes;
        this.tenants = tenants;
        this.maxImageSize = config.maxImageSize();
    }

    /** Releases of every tenant whose firmware was stored before headers were read: tenant, id, SHA-256, size. */
    record Headerless(UUID tenantId, long id, String sha256, long size) {
    }

    @Transactional
    List<Headerless> headerless() {
        List<Headerless> found = new java.util.ArrayList<>();
        // Native: across tenants, as the tenant filter applies to entity queries only.
        for (Object row : releases.getEntityManager().createNativeQuery("select tenant_id, id, firmware_sha256,"
                + " firmware_size from releases where firmware_sha256 is not null and firmware_format is null order by tenant_id, id")
                .getResultList()) {
            Object[] r = (Object[]) row;
            found.add(new Headerless(UUID.fromString((String) r[0]), ((Number) r[1]).longValue(), (String) r[2],
                    ((Number) r[3]).longValue()));
        }
        return found;
    }

    /** Records the header read from a stored release's firmware, unless another replica already did. */
    @Transactional
    boolean recordHeader(long id, ImageHeader header) {
        Release release = releases.find("id = ?1 and firmwareFormat is null", id).firstResult();
        if (release == null) {
            return false;
        }
        release.firmwareHeader(header);
        changes.currentTenantChanged();
        return true;
    }

    /** An uploaded image and the digests its uploader declared (either may be null). */
    public record ImageUpload(InputStream content, String declaredMd5, String declaredSha256) {
    }

    /** Like {@link #create(String, String, String, ImageUpload, ImageUpload)} without declared digests. */
    public Release create(String productName, String version, String notes, InputStream firmware,
            InputStream filesystem) throws IOException {
        return create(productName, version, notes, firmware == null ? null : new ImageUpload(firmware, null, null),
                filesystem == null ? null : new ImageUpload(filesystem, null, null));
    }

    /**
     * Stores the images, then records the release. The uploads are streamed into the store before the database
     * transaction starts, so a slow upload holds no connection; if recording fails, objects no other release uses are
     * removed again.
     */
    public Release create(String productName, String version, String notes, ImageUpload firmware,
            ImageUpload filesystem) throws IOException {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new InvalidInputException("invalid-version",
                    "A version is 1 to 64 printable characters without spaces");
        }
        PlainText.text(notes, "notes");
        if (firmware == null && filesystem == null) {
            throw new InvalidImageException("A release needs a firmware image, a filesystem image, or both");
        }
        UUID tenant = tenants.require();
        Product product = products.findByName(productName);
        ImageHeader[] header = new ImageHeader[1];
        StoredArtifact uploaded = firmware == null ? null : store(tenant, () -> {
            ImageValidation.CheckedFirmware checked = ImageValidation.firmware(firmware.content());
            requireChipOf(product, checked.header());
            header[0] = checked.header();
            return checked.content();
        }, null);
        StoredArtifact filesystemImage = filesystem == null ? null
                : store(tenant, () -> ImageValidation.filesystem(filesystem.content()), uploaded);
        ReleaseSigning.Signed firmwareImage;
        try {
            checkDeclared("firmware", firmware, uploaded);
            checkDeclared("filesystem", filesystem, filesystemImage);
            firmwareImage = uploaded == null ? null : signing.sign(tenant, product, uploaded, header[0]);
        } catch (IOException | RuntimeException e) {
            removeUnreferenced(tenant, uploaded);
            removeUnreferenced(tenant, filesystemImage);
            throw e;
        }
        if (firmwareImage != null && firmwareImage.image() != uploaded) {
            removeUnreferenced(tenant, uploaded); // the unsigned upload, now that the signed image is stored
        }
        try {
            return QuarkusTransaction.requiringNew()
                    .call(() -> record(product.id, version, notes, firmwareImage, header[0], filesystemImage));
        } catch (RuntimeException e) {
            removeUnreferenced(tenant, firmwareImage == null ? null : firmwareImage.image());
            removeUnreferenced(tenant, filesystemImage);
            throw e;
        }
    }

    /** An image whose header names another chip than the product's devices have is refused before it is stored. */
    private static void requireChipOf(Product product, ImageHeader header) {
        if (!Product.ANY_CHIP.equals(product.chipFamily) && !product.chipFamily.equals(header.chip())) {
            throw new InvalidImageException("This file is " + header.describe() + ", but the devices of " + product.name
                    + " are " + ImageHeader.chipName(product.chipFamily) + " (the product's chipFamily): is this the"
                    + " right file, or the right product?");
        }
    }

    private static void checkDeclared(String which, ImageUpload upload, StoredArtifact stored) {
        if (upload == null) {
            return;
        }
        if (upload.declaredMd5() != null && !upload.declaredMd5().equalsIgnoreCase(stored.md5())) {
            throw new InvalidInputException("hash-mismatch", "The " + which + " image's MD5 is " + stored.md5()
                    + ", not the declared " + upload.declaredMd5() + ": the upload was changed or truncated");
        }
        if (upload.declaredSha256() != null && !upload.declaredSha256().equalsIgnoreCase(stored.sha256())) {
            throw new InvalidInputException("hash-mismatch", "The " + which + " image's SHA-256 is " + stored.sha256()
                    + ", not the declared " + upload.declaredSha256() + ": the upload was changed or truncated");
        }
    }

    /** A validated upload stream; validation reads the first bytes. */
    @FunctionalInterface
    private interface ValidatedImage {
        InputStream open() throws IOException;
    }

    /** Validates and stores one image; on failure also removes {@code alreadyStored}, which no release uses yet. */
    private StoredArtifact store(UUID tenant, ValidatedImage image, StoredArtifact alreadyStored) throws IOException {
        try {
            return store.put(tenant, image.open(), maxImageSize);
        } catch (ArtifactTooLargeException e) {
            removeUnreferenced(tenant, alreadyStored);
            throw new PayloadTooLargeException("An image is larger than the limit of " + maxImageSize + " bytes");
        } catch (IOException | RuntimeException e) {
            removeUnreferenced(tenant, alreadyStored);
            throw e;
        }
    }

    @Transactional
    public List<Release> list() {
        return releases.listAll(io.quarkus.panache.common.Sort.by("id"));
    }

    /**
     * A page of the releases (of one product, or all when {@code productName} is null), newest first, after cursor
     * {@code after} (null for the first page).
     */
    @Transactional
    public PageCursor.Slice<Release> list(String productName, String after, int limit) {
        Long cursor = PageCursor.decodeNumber(after, "id");
        long before = cursor == null ? Long.MAX_VALUE : cursor;
        // range() is inclusive at both ends: limit + 1 rows, to tell whether a next page exists.
        List<Release> page = productName == null
                ? releases.find("id < ?1 order by id desc", before).range(0, limit).list()
                : releases.find("productId = ?1 and id < ?2 order by id desc", products.findByName(productName).id,
                        before).range(0, limit).list();
        return PageCursor.slice(page, limit, last -> PageCursor.encode("id", last.id));
    }

    @Transactional
    public Release find(long id) {
        Release release = releases.findById(id);
        if (release == null) {
            throw new NotFoundException("Release " + id);
        }
        return release;
    }

    /** The longest release notes kept: a changelog, not a manual. */
    public static final int MAX_NOTES = 20_000;

    /** Replaces a release's notes (null or blank clears them); audited. Its images never change. */
    @Transactional
    public Release setNotes(long id, String notes) {
        PlainText.text(notes, "notes");
        if (notes != null && notes.length() > MAX_NOTES) {
            throw new InvalidInputException("invalid-field", "notes are at most " + MAX_NOTES + " characters");
        }
        Release release = find(id);
        var before = view(release);
        release.notes = notes == null || notes.isBlank() ? null : notes;
        audit.record("release.update", "release", Long.toString(id), before, view(release));
        return release;
    }

    /** Deletes a release no rule, pin or rollout uses, and its images unless another release shares them. */
    public void delete(long id) {
        UUID tenant = tenants.require();
        Release release = QuarkusTransaction.requiringNew().call(() -> {
            Release found = find(id);
            List<String> users = users(tenant, id);
            if (!users.isEmpty()) {
                throw new ConflictException("release-in-use", "Release " + found.version + " is used by "
                        + String.join(", ", users) + "; remove them first (rollouts that ran stay as history)");
            }
            audit.record("release.delete", "release", Long.toString(id), view(found), null);
            releases.delete(found);
            changes.currentTenantChanged();
            return found;
        });
        removeUnreferenced(tenant, release.firmwareSha256);
        removeUnreferenced(tenant, release.filesystemSha256);
    }

    /** What keeps a release from being deleted, named: its rules, pins (a few MACs) and rollouts. */
    private List<String> users(UUID tenant, long id) {
        var entityManager = releases.getEntityManager();
        List<String> users = new java.util.ArrayList<>();
        // A rule is named by its place in the list, as the console numbers it (positions may have gaps).
        entityManager
                .createQuery("select (select count(o) from VersionRule o where o.position <= r.position)"
                        + " from VersionRule r where r.releaseId = ?1 order by r.position", Long.class)
                .setParameter(1, id).getResultList().forEach(place -> users.add("rule " + place));
        List<String> pinned = entityManager
                .createQuery("select p.mac from Pin p where p.releaseId = ?1 order by p.mac", String.class)
                .setParameter(1, id).setMaxResults(4).getResultList();
        for (int i = 0; i < Math.min(3, pinned.size()); i++) {
            users.add("the pin of " + pinned.get(i));
        }
        if (pinned.size() > 3) {
            users.add("more pins");
        }
        List<?> rollouts = entityManager
                .createNativeQuery("select name from rollouts where tenant_id = ?1 and release_id = ?2 order by id")
                .setParameter(1, tenant.toString()).setParameter(2, id).getResultList();
        rollouts.forEach(name -> users.add("rollout '" + name + "'"));
        return users;
    }

    private Release record(UUID productId, String version, String notes, ReleaseSigning.Signed firmware,
            ImageHeader header, StoredArtifact filesystem) {
        if (releases.count("productId = ?1 and version = ?2", productId, version) > 0) {
            throw new ConflictException("release-exists", "This product already has a release " + version);
        }
        Release release = new Release();
        release.productId = productId;
        release.version = version;
        release.notes = notes;
        if (firmware != null) {
            release.firmwareSha256 = firmware.image().sha256();
            release.firmwareMd5 = firmware.image().md5();
            release.firmwareSize = firmware.image().size();
            release.firmwareHeader(header);
            release.firmwareSigningKeyId = firmware.signingKeyId();
        }
        if (filesystem != null) {
            release.filesystemSha256 = filesystem.sha256();
            release.filesystemMd5 = filesystem.md5();
            release.filesystemSize = filesystem.size();
        }
        release.createdAt = Instant.now();
        releases.persist(release);
        releases.flush(); // the id is needed for the audit event
        audit.record("release.create", "release", release.id.toString(), null, view(release));
        changes.currentTenantChanged();
        return release;
    }

    static java.util.Map<String, Object> view(Release release) {
        java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("productId", release.productId.toString());
        view.put("version", release.version);
        view.put("firmwareSha256", release.firmwareSha256);
        view.put("firmwareSize", release.firmwareSize);
        view.put("firmwareChip", release.firmwareChip);
        view.put("firmwareSigningKeyId", release.firmwareSigningKeyId);
        view.put("filesystemSha256", release.filesystemSha256);
        view.put("filesystemSize", release.filesystemSize);
        return view;
    }

    private void removeUnreferenced(UUID tenant, StoredArtifact artifact) {
        if (artifact != null) {
            removeUnreferenced(tenant, artifact.sha256());
        }
    }

    /** Objects are shared by content: remove one only when no release of the tenant still uses it. */
    private void removeUnreferenced(UUID tenant, String sha256) {
        if (sha256 == null) {
            return;
        }
        long references = QuarkusTransaction.requiringNew()
                .call(() -> releases.count("firmwareSha256 = ?1 or filesystemSha256 = ?1", sha256));
        if (references == 0) {
            try {
                store.delete(tenant, sha256);
            } catch (IOException e) {
                org.jboss.logging.Logger.getLogger(ReleaseService.class).warnf(e,
                        "Could not remove unreferenced object %s", sha256);
            }
        }
    }
}
