package dev.firmament.tenant;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.errors.InvalidInputException;

/** Creates and finds tenants. */
@ApplicationScoped
public class TenantService {

    /** Lower-case letters, digits and inner hyphens; it appears in URLs and storage keys. */
    static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?");

    private final TenantRepository tenants;
    private final AuditService audit;

    /** Console paths beside the tenants' own ({@code /console/<slug>}): no tenant may take their name. */
    public static final java.util.Set<String> CONSOLE_PATHS = java.util.Set.of("login", "logout", "account");

    TenantService(TenantRepository tenants, AuditService audit) {
        this.tenants = tenants;
        this.audit = audit;
    }

    @Transactional
    public Tenant create(String slug, String name) {
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new InvalidInputException("invalid-slug",
                    "A tenant slug is 1 to 40 lower-case letters, digits and inner hyphens, was: " + slug);
        }
        if (CONSOLE_PATHS.contains(slug)) {
            throw new InvalidInputException("reserved-slug",
                    "'" + slug + "' names a console page; choose another slug");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidInputException("invalid-name", "A tenant name is 1 to 200 characters");
        }
        if (tenants.findBySlug(slug).isPresent()) {
            throw new TenantExistsException(slug);
        }
        Tenant tenant = new Tenant();
        tenant.id = UUID.randomUUID();
        tenant.slug = slug;
        tenant.name = name.strip();
        tenant.createdAt = Instant.now();
        tenants.persist(tenant);
        audit.record("tenant.create", "tenant", tenant.id.toString(), null,
                java.util.Map.of("slug", tenant.slug, "name", tenant.name));
        return tenant;
    }

    @Transactional
    public Optional<Tenant> findBySlug(String slug) {
        return tenants.findBySlug(slug);
    }

    @Transactional
    public List<Tenant> list() {
        return tenants.listAll(io.quarkus.panache.common.Sort.by("slug"));
    }
}
