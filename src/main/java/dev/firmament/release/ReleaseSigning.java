package dev.firmament.release;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.DigestInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.firmament.release.SigningKeyService.ActiveKey;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.release.artifact.StoredArtifact;

/**
 * Signs the firmware of a signing product's releases at upload (ESP8266 signed updates, {@link Esp8266Signature}): an
 * unsigned image is stored again with the signature appended; an image that arrives signed is verified against the
 * product's key and kept as it is, or refused. A product without a key stores what was uploaded.
 */
@ApplicationScoped
class ReleaseSigning {

    /** The firmware image to record, and the key it is signed with (null: not signed by Firmament's key). */
    record Signed(StoredArtifact image, Long signingKeyId) {
    }

    private final ArtifactStore store;
    private final SigningKeyService keys;
    private final long maxImageSize;

    ReleaseSigning(ArtifactStore store, SigningKeyService keys, ReleasesConfig config) {
        this.store = store;
        this.keys = keys;
        this.maxImageSize = config.maxImageSize();
    }

    Signed sign(UUID tenant, Product product, StoredArtifact uploaded, ImageHeader header) throws IOException {
        Optional<ActiveKey> key = keys.active(product.id);
        if (key.isEmpty()) {
            return new Signed(uploaded, null);
        }
        if (ImageHeader.ESP32_APP.equals(header.format())) {
            throw new InvalidImageException("Product " + product.name + " signs its releases the ESP8266 core's way"
                    + " (it has a signing key), and this file is " + header.describe() + "; ESP32 devices would"
                    + " not verify that signature");
        }
        try {
            int length = Esp8266Signature.signatureLength(key.get().publicKey());
            if (uploaded.size() > length + 4L && declaredSignatureLength(tenant, uploaded) == length) {
                long payload = uploaded.size() - length - 4;
                byte[] signature;
                try (InputStream in = store.open(tenant, uploaded.sha256(), payload, length)) {
                    signature = in.readNBytes(length);
                }
                if (!Esp8266Signature.verifies(key.get().publicKey(), sha256(tenant, uploaded, payload), signature)) {
                    throw new InvalidImageException("The image ends with a " + length + "-byte signature that the"
                            + " signing key of " + product.name + " does not verify: it was signed with another key or"
                            + " changed after signing. Upload it unsigned and Firmament signs it.");
                }
                return new Signed(uploaded, key.get().id()); // signed at build time with this key: kept byte-exact
            }
            byte[] trailer = Esp8266Signature.trailer(key.get().privateKey(),
                    HexFormat.of().parseHex(uploaded.sha256()));
            StoredArtifact signed;
            try (InputStream unsigned = store.open(tenant, uploaded.sha256())) {
                signed = store.put(tenant, new SequenceInputStream(unsigned, new ByteArrayInputStream(trailer)),
                        maxImageSize + trailer.length);
            }
            return new Signed(signed, key.get().id());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Signing failed", e);
        }
    }

    private long declaredSignatureLength(UUID tenant, StoredArtifact image) throws IOException {
        try (InputStream in = store.open(tenant, image.sha256(), image.size() - 4, 4)) {
            return Esp8266Signature.declaredLength(in.readNBytes(4));
        }
    }

    private byte[] sha256(UUID tenant, StoredArtifact image, long length) throws IOException {
        try (DigestInputStream in = new DigestInputStream(store.open(tenant, image.sha256(), 0, length),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return in.getMessageDigest().digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
