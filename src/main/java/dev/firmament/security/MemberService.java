package dev.firmament.security;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    MemberService(EntityManager entityManager, AuditService audit) {
        this.entityManager = entityManager;
        this.audit = audit;
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

    /** Adds a person by e-mail (creating the user, without a password, if new). */
    @Transactional
    public MemberEntry add(String email, Role role) {
        String normalized = normalize(email);
        User user = entityManager.createQuery("from User where email = ?1", User.class).setParameter(1, normalized)
                .getResultStream().findFirst().orElseGet(() -> {
                    User created = new User();
                    created.id = UUID.randomUUID();
                    created.email = normalized;
                    created.createdAt = Instant.now();
                    entityManager.persist(created);
                    return created;
                });
        boolean exists = !entityManager.createQuery("from Member where userId = ?1", Member.class)
                .setParameter(1, user.id).getResultList().isEmpty();
        if (exists) {
            throw new ConflictException("member-exists", normalized + " is already a member");
        }
        Member member = new Member();
        member.id = UUID.randomUUID();
        member.userId = user.id;
        member.role = requireRole(role).code();
        member.createdAt = Instant.now();
        entityManager.persist(member);
        audit.record("member.add", "member", member.id.toString(), null,
                Map.of("email", normalized, "role", member.role));
        return new MemberEntry(member, normalized);
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
