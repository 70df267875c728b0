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
        return create(name, null);
    }

    /** A new product; {@code chipFamily} null is {@code any}. */
    @Transactional
    public Product create(String name, String chipFamily) {
        String chip = chipFamily(chipFamily);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("invalid-product-name",
                    "A product name is 1 to 64 letters, digits or _ . : - (the NoFUSS DEVICE string), was: " + name);
        }
        if (products.findByName(name).isPresent()) {
            throw new ConflictException("product-exists", "A product named " + name + " already exists");
        }
        Product product = new Product();
        product.name = name;
        product.chipFamily = chip;
        product.createdAt = Instant.now();
        products.persist(product);
        audit.record("product.create", "product", product.id.toString(), null,
                java.util.Map.of("name", name, "chipFamily", chip));
        changes.currentTenantChanged();
        return product;
    }

    /**
     * Declares the chip of a product's devices; refused while a release of the product holds firmware for another chip
     * (it could not have been uploaded under the new declaration).
     */
    @Transactional
    public Product setChipFamily(String name, String chipFamily) {
        String chip = chipFamily(chipFamily);
        Product product = findByName(name);
        if (!Product.ANY_CHIP.equals(chip)) {
            List<?> others = products.getEntityManager()
                    .createQuery("select version from Release where productId = ?1 and firmwareChip is not null and"
                            + " firmwareChip <> ?2 order by id")
                    .setParameter(1, product.id).setParameter(2, chip).getResultList();
            if (!others.isEmpty()) {
                throw new ConflictException("chip-family-conflict",
                        "Releases " + String.join(", ", others.stream().map(Object::toString).toList()) + " of " + name
                                + " hold firmware for another chip than " + ImageHeader.chipName(chip)
                                + "; delete them first or keep the declaration");
            }
        }
        String before = product.chipFamily;
        product.chipFamily = chip;
        audit.record("product.update", "product", product.id.toString(), java.util.Map.of("chipFamily", before),
                java.util.Map.of("chipFamily", chip));
        changes.currentTenantChanged();
        return product;
    }

    private static String chipFamily(String chipFamily) {
        if (chipFamily == null || Product.ANY_CHIP.equals(chipFamily)) {
            return Product.ANY_CHIP;
        }
        if (!ImageHeader.CHIPS.contains(chipFamily)) {
            throw new InvalidInputException("invalid-chip-family",
                    "chipFamily is one of any, " + String.join(", ", ImageHeader.CHIPS) + "; was: " + chipFamily);
        }
        return chipFamily;
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
