-- People. Users are global (one person may belong to several tenants); membership and role are per tenant.
create table users (
    id              uuid         primary key,
    email           varchar(254) not null,
    name            varchar(200),
    -- bcrypt; null for people who sign in only through OIDC.
    password_hash   varchar(100),
    platform_admin  boolean      not null default false,
    created_at      timestamptz  not null default now(),
    constraint uk_users_email unique (email),
    constraint ck_users_email check (email = lower(email) and email like '%_@_%')
);

create table members (
    tenant_id   varchar(36) not null,
    id          uuid        not null,
    user_id     uuid        not null,
    role        varchar(16) not null,
    created_at  timestamptz not null default now(),
    constraint pk_members primary key (tenant_id, id),
    constraint uk_members_tenant_user unique (tenant_id, user_id),
    constraint fk_members_tenant foreign key (tenant_id) references tenants (id),
    constraint fk_members_user foreign key (user_id) references users (id),
    constraint ck_members_role check (role in ('owner', 'maintainer', 'viewer'))
);
