package dev.firmament.release;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.errors.ConflictException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.targeting.FleetChanges;

/** Products (device types) of the current tenant. */
@ApplicationScoped
public class ProductService {

    /** What NoFUSS clients send as {@code DEVICE}: letters, digits and {@code _ . : -}. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final ProductRepository products;
    private final FleetChanges changes;
    private final AuditService audit;

    ProductService(ProductRepository products, FleetChanges changes, AuditService audit) {
        this.products = products;
        this.changes = changes;
        this.audit = audit;
    }

    @Transactional
    public Product create(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("invalid-product-name",
                    "A product name is 1 to 64 letters, digits or _ . : - (the NoFUSS DEVICE string), was: " + name);
        }
        if (products.findByName(name).isPresent()) {
            throw new ConflictException("product-exists", "A product named " + name + " already exists");
        }
        Product product = new Product();
        product.name = name;
        product.createdAt = Instant.now();
        products.persist(product);
        audit.record("product.create", "product", product.id.toString(), null, java.util.Map.of("name", name));
        changes.currentTenantChanged();
        return product;
    }

    @Transactional
    public Product findByName(String name) {
        return products.findByName(name).orElseThrow(
                () -> new dev.firmament.errors.InvalidInputException("unknown-product", "No product named " + name));
    }

    @Transactional
    public List<Product> list() {
        return products.listAll(io.quarkus.panache.common.Sort.by("name"));
    }

    /** Product names by id, for views that show the name of what they hold by id. */
    @Transactional
    public Map<UUID, String> namesById() {
        Map<UUID, String> names = new HashMap<>();
        list().forEach(product -> names.put(product.id, product.name));
        return names;
    }
}
