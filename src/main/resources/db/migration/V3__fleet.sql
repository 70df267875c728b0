-- The fleet model behind the device endpoints. Foreign keys between tenant tables include tenant_id, so the
-- database itself refuses a reference from one tenant's row to another tenant's. Every table also has an id that is
-- unique on its own (a UUID or an identity): Hibernate updates and deletes an entity by its id alone, without the
-- tenant filter, so an id that repeats across tenants (a MAC) would reach other tenants' rows.

alter table products add constraint ck_products_name check (name ~ '^[A-Za-z0-9_.:-]{1,64}$');

create table releases (
    tenant_id          varchar(36)  not null,
    id                 bigint       generated always as identity,
    product_id         uuid         not null,
    version            varchar(64)  not null,
    notes              text,
    firmware_sha256    varchar(64),
    firmware_md5       varchar(32),
    firmware_size      bigint,
    filesystem_sha256  varchar(64),
    filesystem_md5     varchar(32),
    filesystem_size    bigint,
    created_at         timestamptz  not null default now(),
    constraint pk_releases primary key (tenant_id, id),
    constraint uk_releases_tenant_product_version unique (tenant_id, product_id, version),
    constraint fk_releases_product foreign key (tenant_id, product_id) references products (tenant_id, id),
    constraint ck_releases_has_image check (firmware_sha256 is not null or filesystem_sha256 is not null)
);

create table device_keys (
    tenant_id           varchar(36)  not null,
    id                  uuid         not null,
    name                varchar(100) not null,
    -- SHA-256 of the key: keys are long random strings, so a fast hash is enough and lookups stay O(1).
    key_hash            varchar(64)     not null,
    key_hint            varchar(8)   not null,
    default_product_id  uuid,
    default_group_id    bigint,
    created_at          timestamptz  not null default now(),
    revoked_at          timestamptz,
    constraint pk_device_keys primary key (tenant_id, id),
    constraint fk_device_keys_product foreign key (tenant_id, default_product_id) references products (tenant_id, id)
);
-- A key must identify one tenant across the whole platform, so this one key is global by design.
create unique index uk_device_keys_key_hash on device_keys (key_hash);

create table mac_groups (
    tenant_id   varchar(36)  not null,
    id          bigint       generated always as identity,
    name        varchar(100) not null,
    created_at  timestamptz  not null default now(),
    constraint pk_mac_groups primary key (tenant_id, id),
    constraint uk_mac_groups_tenant_name unique (tenant_id, name)
);

alter table device_keys add constraint fk_device_keys_group
    foreign key (tenant_id, default_group_id) references mac_groups (tenant_id, id);

create table mac_group_members (
    tenant_id  varchar(36) not null,
    group_id   bigint      not null,
    mac        varchar(17)    not null,
    added_at   timestamptz not null default now(),
    constraint pk_mac_group_members primary key (tenant_id, group_id, mac),
    constraint fk_mac_group_members_group foreign key (tenant_id, group_id) references mac_groups (tenant_id, id)
        on delete cascade
);
create index ix_mac_group_members_tenant_mac on mac_group_members (tenant_id, mac);

create table pins (
    tenant_id        varchar(36) not null,
    id               bigint      generated always as identity,
    mac              varchar(17) not null,
    release_id       bigint      not null,
    allow_downgrade  boolean     not null default false,
    created_at       timestamptz not null default now(),
    constraint pk_pins primary key (tenant_id, id),
    constraint uk_pins_tenant_mac unique (tenant_id, mac),
    constraint fk_pins_release foreign key (tenant_id, release_id) references releases (tenant_id, id)
);
create index ix_pins_tenant_release on pins (tenant_id, release_id);

create table version_rules (
    tenant_id           varchar(36) not null,
    id                  bigint      generated always as identity,
    position            integer     not null,
    product_id          uuid        not null,
    macs                varchar(17)[]  not null default '{}',
    group_ids           bigint[]    not null default '{}',
    -- [{"op": ">=", "value": "1.0"}, ...]: every condition must hold (NoFUSS gt/ge/lt/le/eq/min/max map onto it).
    version_conditions  jsonb       not null default '[]',
    build_not           varchar(64),
    release_id          bigint      not null,
    allow_downgrade     boolean     not null default false,
    created_at          timestamptz not null default now(),
    constraint pk_version_rules primary key (tenant_id, id),
    constraint uk_version_rules_tenant_position unique (tenant_id, position) deferrable initially deferred,
    constraint fk_version_rules_product foreign key (tenant_id, product_id) references products (tenant_id, id),
    constraint fk_version_rules_release foreign key (tenant_id, release_id) references releases (tenant_id, id)
);
create index ix_version_rules_tenant_release on version_rules (tenant_id, release_id);

create table devices (
    tenant_id           varchar(36) not null,
    id                  bigint      generated always as identity,
    mac                 varchar(17) not null,
    -- The product the device last checked in as, and the one a person assigned (which wins).
    product_id          uuid,
    assigned_product_id uuid,
    client              varchar(16) not null,
    chip_id             bigint,
    chip_size           bigint,
    free_space          bigint,
    sketch_size         bigint,
    sketch_md5          varchar(32),
    sdk_version         varchar(64),
    version             varchar(64),
    build               varchar(64),
    mode                varchar(16),
    ip                  varchar(45),
    blocked             boolean     not null default false,
    -- The last image offered and not yet seen installed: how "installed" is inferred.
    pending_release_id  bigint,
    pending_md5         varchar(32),
    pending_version     varchar(64),
    pending_since       timestamptz,
    first_seen          timestamptz not null,
    last_seen           timestamptz not null,
    constraint pk_devices primary key (tenant_id, id),
    constraint uk_devices_tenant_mac unique (tenant_id, mac),
    constraint fk_devices_product foreign key (tenant_id, product_id) references products (tenant_id, id),
    constraint fk_devices_assigned_product foreign key (tenant_id, assigned_product_id)
        references products (tenant_id, id)
);
-- The snapshot loads only devices people changed; keep that lookup cheap at 100k devices.
create index ix_devices_tenant_overrides on devices (tenant_id) where blocked or assigned_product_id is not null;
create index ix_devices_tenant_last_seen on devices (tenant_id, last_seen);
create index ix_devices_tenant_product_version on devices (tenant_id, product_id, version);

-- Append-only history of what devices were offered, refused, downloaded and installed. Partitioned by month so
-- retention is dropping a partition; the default partition catches anything outside the prepared months.
create table device_events (
    tenant_id   varchar(36) not null,
    id          bigint      generated always as identity,
    at          timestamptz not null,
    mac         varchar(17)    not null,
    type        varchar(16) not null,
    release_id  bigint,
    detail      jsonb       not null default '{}',
    constraint pk_device_events primary key (tenant_id, at, id)
) partition by range (at);
create table device_events_default partition of device_events default;
create index ix_device_events_tenant_mac_at on device_events (tenant_id, mac, at);
create index ix_device_events_tenant_release_at on device_events (tenant_id, release_id, at);
