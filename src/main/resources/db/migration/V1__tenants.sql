-- Tenants are the only global rows; everything else carries tenant_id, first in every index and key.
-- Tenant ids are random UUIDs kept as text: the ORM's tenant filter binds the current tenant as a string.
create table tenants (
    id         varchar(36)  primary key,
    slug       varchar(40)  not null,
    name       varchar(200) not null,
    created_at timestamptz  not null default now(),
    constraint uk_tenants_slug unique (slug),
    constraint ck_tenants_id check (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
    constraint ck_tenants_slug check (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$')
);
