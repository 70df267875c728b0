package dev.firmament.webhook;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.firmament.tenant.TenantOwnedEntity;

/** Where a tenant wants to be told about which events. */
@Entity
@Table(name = "webhook_subscriptions")
public class WebhookSubscription extends TenantOwnedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String url;

    /** Signs every message; people see it once, at creation. */
    @Column(nullable = false)
    public String secret;

    /** Event type codes ({@link WebhookEventType#code()}). */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false)
    public String[] events;

    @Column(nullable = false)
    @Convert(converter = WebhookFormat.Converter.class)
    public WebhookFormat format;

    @Column(nullable = false)
    public boolean enabled = true;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "failing_since")
    public Instant failingSince;

    @Column(name = "disabled_at")
    public Instant disabledAt;

    @Column(name = "disabled_reason")
    public String disabledReason;
}
