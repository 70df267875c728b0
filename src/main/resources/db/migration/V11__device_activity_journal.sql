-- Journal entries of device activity written to the database, remembered in the same transaction as the activity: an
-- entry replayed again (the process died after the commit, before its journal segment was deleted) is written once.
-- Ids are kept a week after they were applied (a segment the process died before deleting is replayed without effect).
create table device_activity_journal_applied (
    entry_id   varchar(80) not null,
    applied_at timestamptz not null default now(),
    constraint pk_device_activity_journal_applied primary key (entry_id)
);
