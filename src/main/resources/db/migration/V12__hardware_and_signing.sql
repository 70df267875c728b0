-- The chip a product's devices have ('any': not declared), and what each firmware image's header says it runs on, so
-- that no device is offered an image it would refuse after downloading it. Releases stored before this have no header
-- facts (null format) until ImageHeaderBackfill reads them from the store after the start.
alter table products add column chip_family varchar(16) not null default 'any';

alter table releases
    add column firmware_format      varchar(16),
    add column firmware_chip        varchar(16),
    add column firmware_flash_size  bigint,
    add column firmware_flash_mode  varchar(8),
    add column firmware_flash_freq  varchar(8),
    add column firmware_chip_rev_min integer,
    add column firmware_chip_rev_max integer,
    add column firmware_sha256_appended boolean,
    add column firmware_signing_key_id bigint;

-- Signing keys of ESP8266 signed updates, per product. The private key is encrypted (AES-256-GCM) with a key from the
-- configuration (firmament.signing.master-key), never stored in clear. The newest key of a product signs new releases;
-- retired ones stay for the releases they signed.
create table signing_keys (
    tenant_id       varchar(36)  not null,
    id              bigint       generated always as identity,
    product_id      uuid         not null,
    public_key_pem  text         not null,
    private_key     bytea        not null,
    fingerprint     varchar(64)  not null,
    created_at      timestamptz  not null default now(),
    retired_at      timestamptz,
    constraint pk_signing_keys primary key (tenant_id, id),
    constraint fk_signing_keys_product foreign key (tenant_id, product_id) references products (tenant_id, id)
);
create unique index uk_signing_keys_active on signing_keys (tenant_id, product_id) where retired_at is null;

alter table releases add constraint fk_releases_signing_key foreign key (tenant_id, firmware_signing_key_id)
    references signing_keys (tenant_id, id);
