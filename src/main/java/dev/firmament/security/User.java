package dev.firmament.security;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A person. Global: one person may be a member of several tenants. */
@Entity
@Table(name = "users")
public class User {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String email;

    public String name;

    /** bcrypt; null for people who sign in only through OIDC. */
    @Column(name = "password_hash")
    public String passwordHash;

    /** The password was chosen by somebody else (the generated first one): it must be replaced at sign-in. */
    @Column(name = "password_must_change", nullable = false)
    public boolean passwordMustChange;

    @Column(name = "platform_admin", nullable = false)
    public boolean platformAdmin;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
