package dev.firmament.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.metamodel.EntityType;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.release.Product;
import dev.firmament.release.ProductRepository;

/** Tenant B can never reach tenant A's rows through the ORM, whatever it asks. */
@QuarkusTest
class TenantIsolationTest {

    @Inject
    TenantService tenants;

    @Inject
    TenantContext tenantContext;

    @Inject
    ProductRepository products;

    @Inject
    EntityManager entityManager;

    @Inject
    AgroalDataSource dataSource;

    UUID tenantA;
    UUID tenantB;
    UUID productOfA;

    @BeforeEach
    void twoTenantsAndAProductOfA() {
        tenantA = tenants.create(uniqueSlug("a"), "Tenant A", "owner@a.example").tenant().id;
        tenantB = tenants.create(uniqueSlug("b"), "Tenant B", "owner@b.example").tenant().id;
        productOfA = tenantContext.callAs(tenantA, () -> inTransaction(() -> {
            Product product = product("SONOFF_BASIC");
            products.persist(product);
            return product.id;
        }));
    }

    @Test
    void tenantSeesItsOwnRows() {
        tenantContext.runAs(tenantA, () -> inTransaction(() -> {
            assertThat(products.findById(productOfA)).isNotNull();
            assertThat(products.findByName("SONOFF_BASIC")).isPresent();
            assertThat(products.count()).isEqualTo(1);
            return null;
        }));
    }

    @Test
    void otherTenantCannotFindListCountOrQueryThem() {
        tenantContext.runAs(tenantB, () -> inTransaction(() -> {
            assertThat(products.findById(productOfA)).isNull();
            assertThat(products.findByName("SONOFF_BASIC")).isEmpty();
            assertThat(products.listAll()).isEmpty();
            assertThat(products.count()).isZero();
            assertThat(entityManager.createQuery("select p from Product p", Product.class).getResultList()).isEmpty();
            assertThat(entityManager.find(Product.class, productOfA)).isNull();
            return null;
        }));
    }

    @Test
    void otherTenantCannotUpdateOrDeleteThem() {
        tenantContext.runAs(tenantB, () -> inTransaction(() -> {
            assertThat(products.update("name = 'HIJACKED' where id = ?1", productOfA)).isZero();
            assertThat(products.delete("id", productOfA)).isZero();
            assertThat(products.deleteById(productOfA)).isFalse();
            return null;
        }));
        tenantContext.runAs(tenantA, () -> inTransaction(() -> {
            assertThat(products.findById(productOfA).name).isEqualTo("SONOFF_BASIC");
            return null;
        }));
    }

    @Test
    void businessKeysAreUniquePerTenantOnly() {
        UUID sameNameInB = tenantContext.callAs(tenantB, () -> inTransaction(() -> {
            Product product = product("SONOFF_BASIC");
            products.persist(product);
            return product.id;
        }));

        assertThat(sameNameInB).isNotEqualTo(productOfA);
    }

    @Test
    void rowsCannotBeWrittenOutsideATenant() {
        assertThatThrownBy(() -> inTransaction(() -> {
            products.persist(product("ORPHAN"));
            products.flush();
            return null;
        })).hasStackTraceContaining("fk_products_tenant");
    }

    @Test
    void nothingIsVisibleOutsideATenant() {
        inTransaction(() -> {
            assertThat(products.listAll()).isEmpty();
            return null;
        });
    }

    @Test
    void tenantCannotBeSwitchedInsideATransaction() {
        assertThatThrownBy(() -> tenantContext.runAs(tenantA,
                () -> inTransaction(() -> tenantContext.callAs(tenantB, () -> products.count()))))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("outside a transaction");
    }

    /** A guard for every later table: tenant-owned tables are mapped through the tenant filter, and keyed by tenant. */
    @Test
    void everyTenantOwnedTableIsFilteredAndIndexedByTenant() throws Exception {
        List<String> tenantTables = new ArrayList<>();
        List<String> badIndexes = new ArrayList<>();
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            var tables = statement.executeQuery("select table_name from information_schema.columns"
                    + " where table_schema = 'public' and column_name = 'tenant_id'");
            while (tables.next()) {
                tenantTables.add(tables.getString(1));
            }
            var indexes = statement.executeQuery("select i.relname, a.attname from pg_index x"
                    + " join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid"
                    + " join pg_namespace n on n.oid = t.relnamespace"
                    + " join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]"
                    + " where n.nspname = 'public' and exists (select 1 from information_schema.columns c"
                    + " where c.table_schema = 'public' and c.table_name = t.relname and c.column_name = 'tenant_id')");
            while (indexes.next()) {
                // A presented device key or API token must identify its tenant: their hashes are global by design.
                // The webhook dispatcher claims due deliveries of every tenant in one query.
                boolean global = Set
                        .of("uk_device_keys_key_hash", "uk_api_tokens_token_hash", "ix_webhook_deliveries_due")
                        .contains(indexes.getString(1));
                if (!indexes.getString(2).equals("tenant_id") && !global) {
                    badIndexes.add(indexes.getString(1));
                }
            }
        }
        assertThat(tenantTables).contains("products");
        assertThat(badIndexes).as("indexes on tenant tables that do not start with tenant_id").isEmpty();

        for (EntityType<?> entity : entityManager.getMetamodel().getEntities()) {
            var table = entity.getJavaType().getAnnotation(jakarta.persistence.Table.class);
            if (table != null && tenantTables.contains(table.name())) {
                assertThat(TenantOwnedEntity.class).as(entity.getName() + " maps a tenant table")
                        .isAssignableFrom(entity.getJavaType());
                // Hibernate updates and deletes by id without the tenant filter: ids must not repeat across tenants.
                var idTypes = entity.hasSingleIdAttribute() ? List.of(entity.getIdType().getJavaType())
                        : entity.getIdClassAttributes().stream().map(a -> (Class<?>) a.getJavaType()).toList();
                assertThat(idTypes).as(entity.getName() + " has a globally unique (generated) id")
                        .anyMatch(type -> type == UUID.class || type == Long.class);
            }
        }
    }

    private static Product product(String name) {
        Product product = new Product();
        product.name = name;
        product.createdAt = Instant.now();
        return product;
    }

    private static <T> T inTransaction(java.util.function.Supplier<T> work) {
        return QuarkusTransaction.requiringNew().call(work::get);
    }

    static String uniqueSlug(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
