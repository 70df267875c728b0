-- A password somebody else chose (the generated first administrator password) must be replaced at the first sign-in.
alter table users add column password_must_change boolean not null default false;

-- One-time links that let a person choose their own password: an invitation for a person created by "add member" or
-- by creating a tenant for them, or a password reset issued by a platform administrator. Credentials of existing
-- people are never set or shown by anybody else. Only the SHA-256 of the random token is stored.
create table account_links (
    token_hash   varchar(64)  primary key,
    purpose      varchar(16)  not null,
    user_id      uuid         not null,
    -- The membership an invitation was issued with: removing the membership kills the link. Links are global like
    -- people (a reset has no tenant); these two columns only reference the membership.
    member_tenant_id  varchar(36),
    member_id         uuid,
    created_by   varchar(200) not null,
    created_at   timestamptz  not null default now(),
    expires_at   timestamptz  not null,
    used_at      timestamptz,
    constraint fk_account_links_user foreign key (user_id) references users (id) on delete cascade,
    constraint fk_account_links_member foreign key (member_tenant_id, member_id) references members (tenant_id, id)
        on delete cascade,
    constraint ck_account_links_purpose check (purpose in ('invitation', 'password-reset')),
    constraint ck_account_links_invitation check (purpose <> 'invitation' or member_id is not null)
);
create index ix_account_links_user_id on account_links (user_id);

-- Failed sign-ins per account ('account:<e-mail>') and per client address ('address:<ip>'), shared by every replica,
-- so that throttling holds however requests are balanced.
create table sign_in_failures (
    subject        varchar(300) primary key,
    failures       integer      not null,
    window_start   timestamptz  not null,
    blocked_until  timestamptz
);
