package dev.firmament.targeting;

import java.time.Instant;
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

import dev.firmament.tenant.TenantOwnedEntity;

/**
 * One element of the ordered rule list, the NoFUSS {@code versions.json} entry as data: devices of {@code product},
 * optionally only some MACs or groups, whose version satisfies every condition and whose build differs from
 * {@code buildNot}, get {@code release}. The first matching rule wins.
 */
@Entity
@Table(name = "version_rules")
public class VersionRule extends TenantOwnedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public int position;

    @Column(name = "product_id", nullable = false)
    public UUID productId;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "varchar(17)[]", nullable = false)
    public String[] macs = new String[0];

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "group_ids", nullable = false)
    public Long[] groupIds = new Long[0];

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "version_conditions", nullable = false)
    public List<VersionCondition> versionConditions = new ArrayList<>();

    @Column(name = "build_not")
    public String buildNot;

    @Column(name = "release_id", nullable = false)
    public Long releaseId;

    @Column(name = "allow_downgrade", nullable = false)
    public boolean allowDowngrade;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
