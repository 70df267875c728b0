-- Webhook subscriptions, their outbox and its delivery log. A change that notifies writes its deliveries in its own
-- transaction (one row per matching subscription, with the exact body to send), so a replica that dies between commit
-- and send loses nothing: whichever replica next claims the row sends it. Owned by dev.firmament.webhook.
create table webhook_subscriptions (
    tenant_id       varchar(36)  not null,
    id              bigserial    not null,
    url             varchar(2000) not null,
    -- The Standard Webhooks secret (whsec_ + base64), kept to sign with; shown to people once, at creation.
    secret          varchar(100) not null,
    events          varchar(40)[] not null,
    format          varchar(16)  not null,
    enabled         boolean      not null default true,
    created_at      timestamptz  not null,
    -- The first failed attempt since the last success; a subscription failing for firmament.webhooks.retry-for is
    -- disabled.
    failing_since   timestamptz,
    disabled_at     timestamptz,
    disabled_reason varchar(500),
    constraint pk_webhook_subscriptions primary key (tenant_id, id),
    constraint fk_webhook_subscriptions_tenant foreign key (tenant_id) references tenants (id),
    constraint ck_webhook_subscriptions_format check (format in ('standard', 'slack'))
);

create table webhook_deliveries (
    tenant_id        varchar(36)  not null,
    id               bigserial    not null,
    subscription_id  bigint       not null,
    -- The webhook-id header: the same on every attempt and on a resend, so receivers can drop duplicates.
    message_id       varchar(40)  not null,
    event_type       varchar(40)  not null,
    body             text         not null,
    created_at       timestamptz  not null,
    -- pending until a 2xx, then delivered; failed once retries ran out or the subscription was disabled.
    state            varchar(16)  not null default 'pending',
    attempts         integer      not null default 0,
    next_attempt_at  timestamptz  not null,
    -- Set by the replica that claimed the row for an attempt; another replica takes it only after it passes.
    lease_until      timestamptz,
    delivered_at     timestamptz,
    constraint pk_webhook_deliveries primary key (tenant_id, id),
    constraint fk_webhook_deliveries_subscription foreign key (tenant_id, subscription_id)
        references webhook_subscriptions (tenant_id, id) on delete cascade,
    constraint ck_webhook_deliveries_state check (state in ('pending', 'delivered', 'failed'))
);
-- The dispatcher's claim: due pending rows across tenants, oldest due first.
create index ix_webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending';
-- A subscription's delivery log, newest first.
create index ix_webhook_deliveries_tenant_subscription on webhook_deliveries (tenant_id, subscription_id, id);

create table webhook_attempts (
    tenant_id        varchar(36)  not null,
    delivery_id      bigint       not null,
    attempt          integer      not null,
    at               timestamptz  not null,
    -- null when no answer came (refused address, connection error, timeout): error says which.
    status           integer,
    latency_ms       integer      not null,
    response         varchar(512),
    error            varchar(500),
    constraint pk_webhook_attempts primary key (tenant_id, delivery_id, attempt),
    constraint fk_webhook_attempts_delivery foreign key (tenant_id, delivery_id)
        references webhook_deliveries (tenant_id, id) on delete cascade
);

-- Which failure state of a rollout device was last announced (device.failed for failed and reverted devices,
-- device.quarantined), so that each is announced once, grouped per rollout, however late the activity that caused it
-- was written. Written by RolloutProgressStore, like every rollout_devices column.
alter table rollout_devices add column alerted_state varchar(16);
create index ix_rollout_devices_tenant_unalerted on rollout_devices (tenant_id)
    where state in ('failed', 'quarantined', 'reverted') and alerted_state is distinct from state;
