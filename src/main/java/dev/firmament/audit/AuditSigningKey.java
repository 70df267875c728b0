package dev.firmament.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * The Ed25519 key that signs audit checkpoints. It never enters the database, so someone who can rewrite the database
 * cannot sign a checkpoint for the rewritten chain. Keys are named by the SHA-256 of their public key's DER encoding,
 * which {@code openssl pkey -pubin -outform DER | sha256sum} reproduces.
 */
@ApplicationScoped
public class AuditSigningKey {

    private static final Logger LOG = Logger.getLogger(AuditSigningKey.class);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    /** Every key a checkpoint may be signed with, by id: the current one and the configured earlier ones. */
    private final Map<String, PublicKey> verifiers = new LinkedHashMap<>();

    @Inject
    AuditSigningKey(AuditConfig config) {
        this(config.signingKey().map(AuditSigningKey::fromPkcs8).orElseGet(() -> fromFile(config.signingKeyFile())),
                config.previousPublicKeys().orElse(List.of()));
    }

    AuditSigningKey(KeyPair pair, List<String> previousPublicKeys) {
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = idOf(publicKey);
        verifiers.put(keyId, publicKey);
        for (String previous : previousPublicKeys) {
            PublicKey key = publicKeyOf(previous);
            verifiers.putIfAbsent(idOf(key), key);
        }
    }

    /** The id of the key that signs new checkpoints. */
    public String keyId() {
        return keyId;
    }

    /** The public key as SPKI PEM, what an auditor verifies checkpoints with. */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code signature} over {@code message} verifies with the key {@code keyId}; empty when the key is
     * unknown.
     */
    Optional<Boolean> verify(String keyId, byte[] message, byte[] signature) {
        PublicKey key = verifiers.get(keyId);
        if (key == null) {
            return Optional.empty();
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return Optional.of(verifier.verify(signature));
        } catch (GeneralSecurityException e) {
            return Optional.of(false); // a signature of the wrong length, for one
        }
    }

    static String idOf(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair fromFile(Path file) {
        try {
            if (Files.exists(file)) {
                return fromPkcs8(Files.readString(file, StandardCharsets.US_ASCII));
            }
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path part = file.resolveSibling(file.getFileName() + ".part");
            Files.deleteIfExists(part);
            Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(part, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            Files.move(part, file);
            LOG.warnf("Generated the audit signing key %s (id %s). Back it up, and give every replica the same key"
                    + " through firmament.audit.signing-key: checkpoints signed with a lost key can no longer be"
                    + " verified.", file.toAbsolutePath(), idOf(pair.getPublic()));
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or create the audit signing key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The key pair of a PKCS#8 Ed25519 private key. The JDK derives no public key from a private one, but its generator
     * takes the private key's 32 bytes from the random source it is given, so handing it the seed yields the pair.
     */
    static KeyPair fromPkcs8(String pemOrBase64) {
        try {
            EdECPrivateKey key = (EdECPrivateKey) KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(derOf(pemOrBase64)));
            byte[] seed = key.getBytes()
                    .orElseThrow(() -> new IllegalArgumentException("The key has no private bytes"));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SeedAsRandom(seed));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "firmament.audit.signing-key is not an Ed25519 private key in PKCS#8 (PEM or base64): "
                            + e.getMessage(),
                    e);
        }
    }

    private static PublicKey publicKeyOf(String pemOrBase64) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(derOf(pemOrBase64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "firmament.audit.previous-public-keys holds something that is not an Ed25519 public key: "
                            + e.getMessage(),
                    e);
        }
    }

    private static byte[] derOf(String pemOrBase64) {
        return Base64.getMimeDecoder().decode(pemOrBase64.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Returns the seed as its "random" bytes: what makes the generator reproduce a given key. */
    private static final class SeedAsRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final transient byte[] seed;

        SeedAsRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("Expected a request for " + seed.length + " bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, bytes.length);
        }
    }
}
