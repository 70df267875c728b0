-- API tokens: bearer secrets for CI pipelines and scripts, scoped to one tenant and one role.
create table api_tokens (
    tenant_id     varchar(36)  not null,
    id            uuid         not null,
    name          varchar(100) not null,
    role          varchar(16)  not null,
    -- SHA-256 of the secret: secrets are long and random, so a fast hash suffices and lookups stay O(1).
    token_hash    varchar(64)  not null,
    token_hint    varchar(12)  not null,
    created_by    varchar(200) not null,
    created_at    timestamptz  not null default now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    constraint pk_api_tokens primary key (tenant_id, id),
    constraint fk_api_tokens_tenant foreign key (tenant_id) references tenants (id),
    constraint ck_api_tokens_role check (role in ('owner', 'maintainer', 'viewer'))
);
-- A presented token must find its tenant, so its hash is unique across the platform by design.
create unique index uk_api_tokens_token_hash on api_tokens (token_hash);

-- The audit trail: one row per change, append-only, and chained per tenant (hash = SHA-256 of the previous hash and
-- this row's content), so an edited or removed row breaks the chain at that point. Platform-level changes (tenants)
-- form their own chain under the all-zero tenant id.
create table audit_events (
    tenant_id    varchar(36)  not null,
    seq          bigint       not null,
    id           uuid         not null,
    at           timestamptz  not null,
    actor_type   varchar(16)  not null,
    actor_id     varchar(200) not null,
    actor_name   varchar(200) not null,
    action       varchar(64)  not null,
    target_type  varchar(32)  not null,
    target_id    varchar(200) not null,
    -- JSON text exactly as hashed (jsonb would reorder keys and break the chain).
    before       text,
    after        text,
    request_id   varchar(64),
    ip           varchar(45),
    user_agent   varchar(300),
    prev_hash    varchar(64)  not null,
    hash         varchar(64)  not null,
    constraint pk_audit_events primary key (tenant_id, seq),
    constraint uk_audit_events_tenant_id unique (tenant_id, id)
);
create index ix_audit_events_tenant_at on audit_events (tenant_id, at);
create index ix_audit_events_tenant_target on audit_events (tenant_id, target_type, target_id);
create index ix_audit_events_tenant_actor on audit_events (tenant_id, actor_id);

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only: % is not allowed', tg_op;
end;
$$;
create trigger tg_audit_events_append_only before update or delete on audit_events
    for each row execute function audit_events_append_only();
create trigger tg_audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only();
