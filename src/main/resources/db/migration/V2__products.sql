create table products (
    tenant_id  varchar(36)  not null,
    id         uuid         not null,
    name       varchar(64)  not null,
    created_at timestamptz  not null default now(),
    constraint pk_products primary key (tenant_id, id),
    constraint uk_products_tenant_name unique (tenant_id, name),
    constraint fk_products_tenant foreign key (tenant_id) references tenants (id)
);
