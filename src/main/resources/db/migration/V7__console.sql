-- Console sign-ins. A session is a random token held by the browser in an HttpOnly cookie; only its SHA-256 is
-- stored, so a copy of this table signs nobody in. Sessions are global like users: one person, several tenants.
create table console_sessions (
    token_hash      varchar(64)  primary key,
    email           varchar(254) not null,
    -- 'local' (password) or 'oidc' (code flow); OIDC people keep the identity provider's administrator flag.
    source          varchar(8)   not null,
    idp_admin       boolean      not null default false,
    -- Synchronizer token every console form and htmx request must echo.
    csrf_token      varchar(64)  not null,
    created_at      timestamptz  not null default now(),
    expires_at      timestamptz  not null,
    constraint ck_console_sessions_source check (source in ('local', 'oidc'))
);
create index ix_console_sessions_expires_at on console_sessions (expires_at);

-- Check-ins and complete downloads per tenant and hour, for the dashboard: one upsert per tenant per batch of the
-- device writer, so the chart costs nothing on the check-in path and reads a handful of rows.
create table device_activity_hourly (
    tenant_id   varchar(36) not null,
    hour        timestamptz not null,
    checkins    bigint      not null default 0,
    downloads   bigint      not null default 0,
    constraint pk_device_activity_hourly primary key (tenant_id, hour),
    constraint fk_device_activity_hourly_tenant foreign key (tenant_id) references tenants (id)
);
