package dev.firmament.targeting;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import dev.firmament.tenant.TenantOwnedEntity;

/** One MAC in one group. */
@Entity
@Table(name = "mac_group_members")
@IdClass(MacGroupMember.Key.class)
public class MacGroupMember extends TenantOwnedEntity {

    @Id
    @Column(name = "group_id")
    public Long groupId;

    @Id
    @Column(length = 17)
    public String mac;

    @Column(name = "added_at", nullable = false, updatable = false)
    public Instant addedAt;

    /** Composite key: group and MAC. */
    public static class Key implements Serializable {
        public Long groupId;
        public String mac;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Objects.equals(groupId, other.groupId) && Objects.equals(mac, other.mac);
        }

        @Override
        public int hashCode() {
            return Objects.hash(groupId, mac);
        }
    }
}
