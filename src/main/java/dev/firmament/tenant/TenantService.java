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
import dev.firmament.errors.PlainText;
import dev.firmament.security.MemberService;

/** Creates and finds tenants. */
@ApplicationScoped
public class TenantService {

    /** Lower-case letters, digits and inner hyphens; it appears in URLs and storage keys. */
    static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?");

    private final TenantRepository tenants;
    private final AuditService audit;
    private final MemberService members;

    /** Console paths beside the tenants' own ({@code /console/<slug>}): no tenant may take their name. */
    public static final java.util.Set<String> CONSOLE_PATHS = java.util.Set.of("login", "logout", "account",
            "invitations", "platform");

    TenantService(TenantRepository tenants, AuditService audit, MemberService members) {
        this.tenants = tenants;
        this.audit = audit;
        this.members = members;
    }

    /** A new tenant, its first owner, and that person's invitation if creating the tenant created them. */
    public record Created(Tenant tenant, MemberService.Added owner) {
    }

    /**
     * Creates a tenant with {@code ownerEmail} as its first owner, in one transaction: a tenant never exists without an
     * owner. The owner is added like any member: an existing person gets the membership, a new one an invitation.
     */
    @Transactional
    public Created create(String slug, String name, String ownerEmail) {
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new InvalidInputException("invalid-slug",
                    "A tenant slug is 1 to 40 lower-case letters, digits and inner hyphens, was: " + slug);
        }
        if (CONSOLE_PATHS.contains(slug)) {
            throw new InvalidInputException("reserved-slug",
                    "'" + slug + "' names a console page; choose another slug");
        }
        PlainText.name(name, "tenant", 200);
        if (ownerEmail == null || ownerEmail.isBlank()) {
            throw new InvalidInputException("owner-required", "A tenant needs an owner: give the owner's e-mail");
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
        tenants.flush();
        return new Created(tenant, members.addFirstOwner(tenant.id, ownerEmail));
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
