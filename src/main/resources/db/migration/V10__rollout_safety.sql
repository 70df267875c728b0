-- A draft may be scheduled: every replica's engine starts it once start_at has passed. Clearing it cancels. (No index:
-- the engine's cross-tenant look at rollouts reads the few rows that are not finished, and indexes lead by tenant.)
alter table rollouts add column start_at timestamptz;

-- A rollback: a rollout to a release older than its product's newest, which may offer devices a downgrade. Without
-- it, a rollout never offers an image older than the one a device runs.
alter table rollouts add column allow_downgrade boolean not null default false;

-- reverted: a device that reported the rollout's image and later reports another one (its bootloader rolled back, or
-- somebody flashed it). A failure, like failed and quarantined.
alter table rollout_devices drop constraint ck_rollout_devices_state;
alter table rollout_devices add constraint ck_rollout_devices_state check (state in ('pending', 'offered',
    'downloaded', 'installed', 'failed', 'quarantined', 'reverted', 'superseded'));
