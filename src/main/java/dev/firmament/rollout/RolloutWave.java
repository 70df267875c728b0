package dev.firmament.rollout;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.firmament.tenant.TenantOwnedEntity;

/** One wave of a rollout: who it selects, when the next may open, and when the rollout stops. */
@Entity
@Table(name = "rollout_waves")
public class RolloutWave extends TenantOwnedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "rollout_id", nullable = false)
    public Long rolloutId;

    /** 0 for the first wave. */
    @Column(nullable = false)
    public int position;

    @Column(nullable = false)
    public String name;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "group_ids", nullable = false)
    public Long[] groupIds = new Long[0];

    /** Cumulative share of the eligible fleet, or null for "the groups, all of them". */
    public BigDecimal percent;

    /** Share of the wave installed (percent) before the next wave may open. */
    @Column(name = "success_threshold", nullable = false)
    public BigDecimal successThreshold;

    /** Share of the wave failed (percent) at which the rollout pauses. */
    @Column(name = "failure_threshold", nullable = false)
    public BigDecimal failureThreshold;

    @Column(name = "soak_minutes", nullable = false)
    public int soakMinutes;

    @Column(name = "max_concurrent_downloads")
    public Integer maxConcurrentDownloads;

    @Column(name = "opened_at")
    public Instant openedAt;

    @Column(name = "failures_acknowledged", nullable = false)
    public int failuresAcknowledged;
}
