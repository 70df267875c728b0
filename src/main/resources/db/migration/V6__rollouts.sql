-- Staged rollouts: a release shipped wave by wave to an eligible part of a product's fleet. The definition is edited
-- while the rollout is a draft; once started, only its state and the waves' runtime columns change.

create table rollouts (
    tenant_id              varchar(36)  not null,
    id                     bigint       generated always as identity,
    name                   varchar(100) not null,
    release_id             bigint       not null,
    product_id             uuid         not null,
    -- Overlapping rollouts of one product: the higher priority decides for a device first.
    priority               integer      not null default 0,
    state                  varchar(16)  not null default 'draft',
    -- Eligibility beyond the product: every version condition must hold; with groups, a device must be in one.
    eligible_versions      jsonb        not null default '[]',
    eligible_group_ids     bigint[]     not null default '{}',
    -- Delivery window: nothing new is offered outside it. Days as ISO numbers (1 = Monday).
    window_days            integer[],
    window_from            time,
    window_to              time,
    window_zone            varchar(64),
    -- How many of the waves are open (0 before the start); the last open wave is the current one.
    open_waves             integer      not null default 0,
    paused_reason          varchar(300),
    created_at             timestamptz  not null default now(),
    started_at             timestamptz,
    ended_at               timestamptz,
    constraint pk_rollouts primary key (tenant_id, id),
    constraint ck_rollouts_state check (state in ('draft', 'running', 'paused', 'completed', 'aborted')),
    constraint fk_rollouts_release foreign key (tenant_id, release_id) references releases (tenant_id, id),
    constraint fk_rollouts_product foreign key (tenant_id, product_id) references products (tenant_id, id)
);
create index ix_rollouts_tenant_state on rollouts (tenant_id, state);
create index ix_rollouts_tenant_release on rollouts (tenant_id, release_id);

create table rollout_waves (
    tenant_id                 varchar(36)  not null,
    id                        bigint       generated always as identity,
    rollout_id                bigint       not null,
    position                  integer      not null,
    name                      varchar(100) not null,
    -- A device is in the first wave whose groups it is in (when the wave names groups) and whose share of the
    -- eligible fleet covers its hash bucket (when the wave has a percent). Percentages are cumulative.
    group_ids                 bigint[]     not null default '{}',
    percent                   numeric(5,2),
    success_threshold         numeric(5,2) not null,
    failure_threshold         numeric(5,2) not null,
    soak_minutes              integer      not null,
    max_concurrent_downloads  integer,
    opened_at                 timestamptz,
    -- Failures a person accepted by resuming: the failure threshold counts only failures after them.
    failures_acknowledged     integer      not null default 0,
    constraint pk_rollout_waves primary key (tenant_id, id),
    constraint uk_rollout_waves_position unique (tenant_id, rollout_id, position),
    constraint fk_rollout_waves_rollout foreign key (tenant_id, rollout_id) references rollouts (tenant_id, id)
        on delete cascade,
    constraint ck_rollout_waves_percent check (percent is null or (percent > 0 and percent <= 100)),
    constraint ck_rollout_waves_selects check (percent is not null or cardinality(group_ids) > 0)
);

-- Per-device progress. Written at the start for every eligible registered device (pending), then by the device
-- activity writer (offered, downloaded, installed, quarantined) and the rollout engine (failed).
create table rollout_devices (
    tenant_id      varchar(36) not null,
    rollout_id     bigint      not null,
    mac            varchar(17) not null,
    wave           integer     not null,
    state          varchar(16) not null default 'pending',
    downloads      integer     not null default 0,
    failure        varchar(32),
    offered_at     timestamptz,
    downloaded_at  timestamptz,
    finished_at    timestamptz,
    constraint pk_rollout_devices primary key (tenant_id, rollout_id, mac),
    constraint fk_rollout_devices_rollout foreign key (tenant_id, rollout_id) references rollouts (tenant_id, id)
        on delete cascade,
    constraint ck_rollout_devices_state check (state in ('pending', 'offered', 'downloaded', 'installed', 'failed',
        'quarantined', 'superseded'))
);
create index ix_rollout_devices_tenant_mac on rollout_devices (tenant_id, mac);
create index ix_rollout_devices_tenant_rollout_wave_state on rollout_devices (tenant_id, rollout_id, wave, state);
