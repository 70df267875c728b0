-- Adoption over time: per tenant and UTC day, the devices that checked in that day by product, the version they last
-- reported, and group. group_id 0 is the whole fleet (a device counts once there, and once in each of its groups);
-- the all-zero product_id stands for devices of no known product. Written by DeviceAdoption, which recomputes today's
-- rows from the registry on a schedule; earlier days stay as they were last computed.
create table device_adoption_daily (
    tenant_id   varchar(36) not null,
    day         date        not null,
    product_id  uuid        not null,
    version     varchar(64) not null,
    group_id    bigint      not null,
    devices     integer     not null,
    constraint pk_device_adoption_daily primary key (tenant_id, day, product_id, version, group_id),
    constraint fk_device_adoption_daily_tenant foreign key (tenant_id) references tenants (id)
);
-- "2.1.0 over the last 30 days" reads one product's versions over a range of days.
create index ix_device_adoption_daily_tenant_product_day on device_adoption_daily (tenant_id, product_id, day);
