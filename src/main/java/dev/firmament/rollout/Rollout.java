package dev.firmament.rollout;

import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.firmament.targeting.VersionCondition;
import dev.firmament.tenant.TenantOwnedEntity;

/** A release shipped wave by wave to the eligible devices of its product. */
@Entity
@Table(name = "rollouts")
public class Rollout extends TenantOwnedEntity {

    /** Where a rollout is in its life. */
    public enum State {
        DRAFT, RUNNING, PAUSED, COMPLETED, ABORTED;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    @Column(name = "release_id", nullable = false)
    public Long releaseId;

    @Column(name = "product_id", nullable = false)
    public UUID productId;

    @Column(nullable = false)
    public int priority;

    @Column(nullable = false)
    @jakarta.persistence.Convert(converter = StateConverter.class)
    public State state = State.DRAFT;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "eligible_versions", nullable = false)
    public List<VersionCondition> eligibleVersions = new ArrayList<>();

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "eligible_group_ids", nullable = false)
    public Long[] eligibleGroupIds = new Long[0];

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "window_days")
    public Integer[] windowDays;

    @Column(name = "window_from")
    public LocalTime windowFrom;

    @Column(name = "window_to")
    public LocalTime windowTo;

    @Column(name = "window_zone")
    public String windowZone;

    @Column(name = "open_waves", nullable = false)
    public int openWaves;

    @Column(name = "paused_reason")
    public String pausedReason;

    /** When a scheduled draft starts by itself; null: when a person starts it. */
    @Column(name = "start_at")
    public Instant startAt;

    /** A rollback: the release may be older than what devices run. */
    @Column(name = "allow_downgrade", nullable = false)
    public boolean allowDowngrade;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    /** Stored in lower case, as the check constraint and the API spell it. */
    @jakarta.persistence.Converter
    public static class StateConverter implements jakarta.persistence.AttributeConverter<State, String> {
        @Override
        public String convertToDatabaseColumn(State state) {
            return state == null ? null : state.code();
        }

        @Override
        public State convertToEntityAttribute(String code) {
            return code == null ? null : State.valueOf(code.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
