package dev.firmament.security;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.errors.ConflictException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;

/** Members of the current tenant. A tenant always keeps at least one owner. */
@ApplicationScoped
public class MemberService {

    static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}");

    private final EntityManager entityManager;
    private final AuditService audit;
    private final AccountLinks links;
    private final CurrentCaller caller;

    MemberService(EntityManager entityManager, AuditService audit, AccountLinks links, CurrentCaller caller) {
        this.entityManager = entityManager;
        this.audit = audit;
        this.links = links;
        this.caller = caller;
    }

    /** A member with the person's e-mail. */
    public record MemberEntry(Member member, String email) {
    }

    @Transactional
    public List<MemberEntry> list() {
        return entityManager
                .createQuery("select m, u.email from Member m, User u where u.id = m.userId" + " order by u.email",
                        Object[].class)
                .getResultList().stream().map(r -> new MemberEntry((Member) r[0], (String) r[1])).toList();
    }

    /**
     * A membership just added, and the invitation of the person if this addition created them: a person who already
     * existed (in any tenant, or known through OIDC) keeps their credentials untouched and gets nothing else.
     */
    public record Added(MemberEntry entry, Optional<AccountLinks.Issued> invitation) {
    }

    /** Adds a person by e-mail to the current tenant, creating and inviting them if nobody has that e-mail yet. */
    @Transactional
    public Added add(String email, Role role) {
        String normalized = normalize(email);
        requireRole(role);
        Person person = findOrCreate(normalized);
        boolean exists = !entityManager.createQuery("from Member where userId = ?1", Member.class)
                .setParameter(1, person.user().id).getResultList().isEmpty();
        if (exists) {
            throw new ConflictException("member-exists", normalized + " is already a member");
        }
        Member member = new Member();
        member.id = UUID.randomUUID();
        member.userId = person.user().id;
        member.role = role.code();
        member.createdAt = Instant.now();
        entityManager.persist(member);
        // The invitation's foreign key names the membership: write it first.
        entityManager.flush();
        audit.record("member.add", "member", member.id.toString(), null,
                Map.of("email", normalized, "role", member.role));
        return added(person, new MemberEntry(member, normalized), UUID.fromString(member.tenantId));
    }

    /**
     * Makes {@code email} the owner of a tenant created in this transaction (on the platform's side, so outside the
     * tenant's ORM filter), recorded in the new tenant's own audit chain.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Added addFirstOwner(UUID tenantId, String email) {
        String normalized = normalize(email);
        Person person = findOrCreate(normalized);
        UUID memberId = UUID.randomUUID();
        Instant now = Instant.now();
        entityManager
                .createNativeQuery("insert into members (tenant_id, id, user_id, role, created_at)"
                        + " values (?1, ?2, ?3, 'owner', ?4)")
                .setParameter(1, tenantId.toString()).setParameter(2, memberId).setParameter(3, person.user().id)
                .setParameter(4, java.sql.Timestamp.from(now)).executeUpdate();
        audit.recordFor(tenantId, "member.add", "member", memberId.toString(), null,
                Map.of("email", normalized, "role", Role.OWNER.code()));
        Member member = new Member();
        member.id = memberId;
        member.userId = person.user().id;
        member.role = Role.OWNER.code();
        member.createdAt = now;
        return added(person, new MemberEntry(member, normalized), tenantId);
    }

    /** The membership, with an invitation only for a person this addition created. */
    private Added added(Person person, MemberEntry entry, UUID tenantId) {
        return new Added(entry, person.created()
                ? Optional.of(links.invite(person.user().id, tenantId, entry.member().id, actor())) : Optional.empty());
    }

    private record Person(User user, boolean created) {
    }

    private Person findOrCreate(String normalized) {
        Optional<User> existing = entityManager.createQuery("from User where email = ?1", User.class)
                .setParameter(1, normalized).getResultStream().findFirst();
        if (existing.isPresent()) {
            return new Person(existing.get(), false);
        }
        User created = new User();
        created.id = UUID.randomUUID();
        created.email = normalized;
        created.createdAt = Instant.now();
        entityManager.persist(created);
        entityManager.flush();
        return new Person(created, true);
    }

    private String actor() {
        return caller.get().map(Caller::name).orElse("system");
    }

    @Transactional
    public MemberEntry changeRole(UUID memberId, Role role) {
        Member member = require(memberId);
        String before = member.role;
        if (before.equals(Role.OWNER.code()) && requireRole(role) != Role.OWNER) {
            requireAnotherOwner();
        }
        member.role = role.code();
        audit.record("member.change-role", "member", memberId.toString(), Map.of("role", before),
                Map.of("role", member.role));
        return new MemberEntry(member, emailOf(member));
    }

    @Transactional
    public void remove(UUID memberId) {
        Member member = require(memberId);
        if (member.role.equals(Role.OWNER.code())) {
            requireAnotherOwner();
        }
        audit.record("member.remove", "member", memberId.toString(),
                Map.of("email", emailOf(member), "role", member.role), null);
        entityManager.remove(member);
    }

    static String normalize(String email) {
        if (email == null || !EMAIL.matcher(email.trim()).matches()) {
            throw new InvalidInputException("invalid-email", "Not an e-mail address: " + email);
        }
        return email.trim().toLowerCase(Locale.ROOT);
    }

    private static Role requireRole(Role role) {
        if (role == null) {
            throw new InvalidInputException("invalid-role", "A role is owner, maintainer or viewer");
        }
        return role;
    }

    private void requireAnotherOwner() {
        long owners = entityManager.createQuery("select count(m) from Member m where m.role = 'owner'", Long.class)
                .getSingleResult();
        if (owners <= 1) {
            throw new ConflictException("last-owner", "A tenant keeps at least one owner");
        }
    }

    private Member require(UUID memberId) {
        Member member = entityManager.find(Member.class, memberId);
        if (member == null) {
            throw new NotFoundException("Member " + memberId);
        }
        return member;
    }

    private String emailOf(Member member) {
        return entityManager.find(User.class, member.userId).email;
    }
}
