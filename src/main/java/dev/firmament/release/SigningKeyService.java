package dev.firmament.release;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.errors.ConflictException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.tenant.TenantContext;

/**
 * Every statement on {@code signing_keys}: a product's keys for ESP8266 signed updates. The private key exists in clear
 * only in memory, for signing; the database holds it encrypted under {@code firmament.signing.master-key}, and nothing
 * hands it out, logs it or writes it to the audit trail (which records the public key's fingerprint).
 */
@ApplicationScoped
public class SigningKeyService {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;

    private final EntityManager entityManager;
    private final ProductService products;
    private final AuditService audit;
    private final Optional<SecretKeySpec> masterKey;
    private final TenantContext tenants;
    private final InstantSource clock;

    SigningKeyService(EntityManager entityManager, ProductService products, AuditService audit, SigningConfig config,
            TenantContext tenants, InstantSource clock) {
        this.entityManager = entityManager;
        this.clock = clock;
        this.tenants = tenants;
        this.products = products;
        this.audit = audit;
        this.masterKey = config.masterKey().map(SigningKeyService::masterKey);
    }

    private static SecretKeySpec masterKey(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != 32) {
            throw new IllegalStateException("firmament.signing.master-key must be 32 random bytes in base64 (openssl"
                    + " rand -base64 32); the value set is not");
        }
        return new SecretKeySpec(key, "AES");
    }

    /** A product's signing key as people see it: never the private part. */
    public record PublicKeyView(long id, String product, String publicKeyPem, String fingerprint, Instant createdAt) {
    }

    /** The key that signs a product's new releases, with its private part. */
    record ActiveKey(long id, PrivateKey privateKey, PublicKey publicKey) {
    }

    /** Makes a new 2048-bit key the product's signing key; the previous one (if any) is retired. */
    @Transactional
    public PublicKeyView generate(String productName) {
        Product product = products.findByName(productName);
        requireEnabled();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            KeyPair pair = generator.generateKeyPair();
            return install(product, pair.getPrivate(), pair.getPublic(), "signing-key.create");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes an existing key the product's signing key (PEM, {@code PRIVATE KEY} or {@code RSA PRIVATE KEY}, as
     * {@code openssl genrsa} writes it); the previous one (if any) is retired.
     */
    @Transactional
    public PublicKeyView importKey(String productName, String privateKeyPem) {
        Product product = products.findByName(productName);
        requireEnabled();
        PrivateKey privateKey = parsePrivateKey(privateKeyPem);
        RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) privateKey;
        int bits = rsa.getModulus().bitLength();
        if (bits < 2048 || bits > 4096) {
            throw new InvalidInputException("invalid-signing-key",
                    "The key has " + bits + " bits; the ESP8266 core verifies RSA keys of 2048 to 4096 bits");
        }
        try {
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            return install(product, privateKey, publicKey, "signing-key.import");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public half of the product's signing key. */
    @Transactional
    public PublicKeyView publicKey(String productName) {
        return find(productName).orElseThrow(() -> new NotFoundException(
                "Product " + productName + " has no signing key (its releases are not signed)"));
    }

    /** The public half of the product's signing key, empty when its new releases are not signed. */
    @Transactional
    public Optional<PublicKeyView> find(String productName) {
        Product product = products.findByName(productName);
        return current(product.id).map(key -> view(product, key));
    }

    /** The fingerprint of the key with this id, retired or not: who signed a release. */
    @Transactional
    public Optional<String> fingerprint(long keyId) {
        // A query, not find(): the tenant filter applies to queries only.
        return entityManager.createQuery("select fingerprint from SigningKey where id = ?1", String.class)
                .setParameter(1, keyId).getResultStream().findFirst();
    }

    /** The products whose new releases are signed. */
    @Transactional
    public java.util.Set<UUID> signingProducts() {
        return new java.util.HashSet<>(entityManager
                .createQuery("select productId from SigningKey where retiredAt is null", UUID.class).getResultList());
    }

    /** Whether this server can hold keys at all ({@code firmament.signing.master-key} is set). */
    public boolean enabled() {
        return masterKey.isPresent();
    }

    /** Stops signing the product's new releases; releases signed before keep their signature. */
    @Transactional
    public void retire(String productName) {
        Product product = products.findByName(productName);
        SigningKey key = current(product.id)
                .orElseThrow(() -> new NotFoundException("Product " + productName + " has no signing key"));
        key.retiredAt = clock.instant();
        audit.record("signing-key.retire", "product", product.id.toString(), Map.of("fingerprint", key.fingerprint),
                null);
    }

    /** The key that signs the product's new releases, decrypted; empty when the product does not sign. */
    @Transactional
    Optional<ActiveKey> active(UUID productId) {
        Optional<SigningKey> key = current(productId);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        requireEnabled();
        SigningKey k = key.get();
        try {
            byte[] der = crypt(Cipher.DECRYPT_MODE, k.tenantId, productId, k.privateKey);
            PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            return Optional.of(new ActiveKey(k.id, privateKey, publicKeyOf(k)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The signing key " + k.id + " cannot be decrypted: is"
                    + " firmament.signing.master-key the one it was made with?", e);
        }
    }

    private Optional<SigningKey> current(UUID productId) {
        return entityManager.createQuery("from SigningKey where productId = ?1 and retiredAt is null", SigningKey.class)
                .setParameter(1, productId).getResultStream().findFirst();
    }

    private PublicKeyView install(Product product, PrivateKey privateKey, PublicKey publicKey, String action)
            throws GeneralSecurityException {
        current(product.id).ifPresent(previous -> {
            previous.retiredAt = clock.instant();
            entityManager.flush(); // one unretired key per product (a partial unique index)
        });
        SigningKey key = new SigningKey();
        key.productId = product.id;
        key.publicKeyPem = pem("PUBLIC KEY", publicKey.getEncoded());
        key.fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
        key.createdAt = clock.instant();
        key.privateKey = crypt(Cipher.ENCRYPT_MODE, tenants.require().toString(), product.id, privateKey.getEncoded());
        entityManager.persist(key);
        audit.record(action, "product", product.id.toString(), null,
                Map.of("product", product.name, "fingerprint", key.fingerprint));
        return view(product, key);
    }

    private static PublicKeyView view(Product product, SigningKey key) {
        return new PublicKeyView(key.id, product.name, key.publicKeyPem, key.fingerprint, key.createdAt);
    }

    private static PublicKey publicKeyOf(SigningKey key) throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der(key.publicKeyPem)));
    }

    private void requireEnabled() {
        if (masterKey.isEmpty()) {
            throw new ConflictException("signing-disabled", "Signing is off on this server: an operator sets"
                    + " firmament.signing.master-key (docs/operations.md) to enable it");
        }
    }

    /** AES-256-GCM; the tenant and product are the associated data, so a key copied to another row does not open. */
    private byte[] crypt(int mode, String tenantId, UUID productId, byte[] input) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] aad = (tenantId + "/" + productId).getBytes(StandardCharsets.UTF_8);
        if (mode == Cipher.ENCRYPT_MODE) {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            cipher.init(mode, masterKey.orElseThrow(), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad);
            byte[] sealed = cipher.doFinal(input);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        }
        cipher.init(mode, masterKey.orElseThrow(), new GCMParameterSpec(128, input, 0, NONCE_BYTES));
        cipher.updateAAD(aad);
        return cipher.doFinal(input, NONCE_BYTES, input.length - NONCE_BYTES);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static PrivateKey parsePrivateKey(String pem) {
        if (pem == null || !pem.contains("-----BEGIN")) {
            throw new InvalidInputException("invalid-signing-key",
                    "privateKeyPem must be a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE"
                            + " KEY-----)");
        }
        if (pem.contains("ENCRYPTED")) {
            throw new InvalidInputException("invalid-signing-key",
                    "The key is encrypted with a passphrase; send it decrypted (openssl pkey -in key.pem)");
        }
        try {
            byte[] der = der(pem);
            if (pem.contains("BEGIN RSA PRIVATE KEY")) {
                der = pkcs8(der);
            }
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new InvalidInputException("invalid-signing-key",
                    "privateKeyPem is not an RSA private key that can be read: " + e.getMessage());
        }
    }

    /** Wraps a PKCS#1 {@code RSAPrivateKey} into the PKCS#8 {@code PrivateKeyInfo} the JDK reads. */
    private static byte[] pkcs8(byte[] pkcs1) {
        byte[] algorithm = HexFormat.of().parseHex("020100300d06092a864886f70d0101010500");
        byte[] octets = derTagged(0x04, pkcs1);
        byte[] body = new byte[algorithm.length + octets.length];
        System.arraycopy(algorithm, 0, body, 0, algorithm.length);
        System.arraycopy(octets, 0, body, algorithm.length, octets.length);
        return derTagged(0x30, body);
    }

    private static byte[] derTagged(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] { (byte) n }
                : n < 0x100 ? new byte[] { (byte) 0x81, (byte) n }
                        : n < 0x10000 ? new byte[] { (byte) 0x82, (byte) (n >> 8), (byte) n }
                                : new byte[] { (byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n };
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }
}
