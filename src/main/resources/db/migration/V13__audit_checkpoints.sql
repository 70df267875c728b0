-- Signed checkpoints of the audit chains' heads (tenant_id as in audit_events; the platform chain is the all-zero id).
-- The copies that count are the write-once records in the object store, signed with a key the database never holds;
-- these rows list them without reading the store, and tell verification which checkpoints the store must still have.
create table audit_checkpoints (
    tenant_id  varchar(36)  not null,
    seq        bigint       not null,
    hash       varchar(64)  not null,
    at         timestamptz  not null,
    key_id     varchar(64)  not null,
    signature  varchar(100) not null,
    constraint pk_audit_checkpoints primary key (tenant_id, seq)
);
