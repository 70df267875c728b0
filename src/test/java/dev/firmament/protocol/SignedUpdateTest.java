package dev.firmament.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.release.InvalidImageException;
import dev.firmament.release.Release;
import dev.firmament.release.SigningKeyService;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.testing.Fleet;

/**
 * ESP8266 signed updates: what a device downloads from a signing product verifies with the public key handed out, in
 * the layout the core's {@code Updater} reads; a signed upload is kept or refused; a changed object is not sent.
 */
@QuarkusTest
class SignedUpdateTest {

    @Inject
    Fleet fleet;

    @Inject
    SigningKeyService signingKeys;

    @Inject
    ArtifactStore store;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aDownloadedImageCarriesASignatureThatOpensslAndTheJdkVerify() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        SigningKeyService.PublicKeyView key = tenant.as(() -> signingKeys.generate("SONOFF_BASIC"));
        byte[] image = Fleet.espImage(250_000, 1);
        Release release = tenant.release("2.0.0", image, null);
        tenant.rule(release, null, null);

        Response download = EspHttpUpdateTest.esp8266("1.0.0").get("/d/{key}/update", tenant.deviceKey);
        assertThat(download.statusCode()).isEqualTo(200);
        byte[] signed = download.asByteArray();
        assertThat(download.header("x-MD5")).isEqualTo(Fleet.md5(signed));
        assertThat(download.header("Content-Length")).isEqualTo(Integer.toString(signed.length));
        assertThat(release.firmwareSigningKeyId).isEqualTo(key.id());

        // As the Updater reads it: the length from the last four bytes, the signature before, the hash of the rest.
        int n = signed.length;
        long length = (signed[n - 4] & 0xffL) | (signed[n - 3] & 0xffL) << 8 | (signed[n - 2] & 0xffL) << 16
                | (signed[n - 1] & 0xffL) << 24;
        assertThat(length).isEqualTo(256);
        byte[] payload = Arrays.copyOf(signed, n - 260);
        byte[] signature = Arrays.copyOfRange(signed, n - 260, n - 4);
        assertThat(payload).isEqualTo(image);

        Signature jdk = Signature.getInstance("SHA256withRSA");
        jdk.initVerify(publicKey(key.publicKeyPem()));
        jdk.update(payload);
        assertThat(jdk.verify(signature)).isTrue();

        Path dir = Files.createTempDirectory("signed");
        Files.write(dir.resolve("payload.bin"), payload);
        Files.write(dir.resolve("signature.bin"), signature);
        Files.writeString(dir.resolve("public.key"), key.publicKeyPem());
        Process openssl = new ProcessBuilder("openssl", "dgst", "-sha256", "-verify", "public.key", "-signature",
                "signature.bin", "payload.bin").directory(dir.toFile()).redirectErrorStream(true).start();
        String said = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor()).as(said).isZero();
        assertThat(said).contains("Verified OK");

        // Someone changes one byte of the stored object: the download is refused, not served.
        Path object = store.localCopy(tenant.id, release.firmwareSha256);
        try (RandomAccessFile file = new RandomAccessFile(object.toFile(), "rw")) {
            file.seek(1000);
            int b = file.read();
            file.seek(1000);
            file.write(b ^ 0x01);
        }
        Files.setLastModifiedTime(object,
                java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(object).toMillis() + 2000));
        Response tampered = EspHttpUpdateTest.esp8266("1.0.0").get("/d/{key}/update", tenant.deviceKey);
        assertThat(tampered.statusCode()).isEqualTo(503);
        assertThat(tampered.header("Retry-After")).isNotNull();
        assertThat(tampered.asString()).contains("integrity check");
    }

    @Test
    void anImageSignedAtBuildTimeIsKeptWhenItsKeyIsTheProductsAndRefusedOtherwise() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        KeyPair pair = rsa();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        SigningKeyService.PublicKeyView key = tenant.as(() -> signingKeys.importKey("SONOFF_BASIC", pem));
        assertThat(publicKey(key.publicKeyPem())).isEqualTo(pair.getPublic());

        byte[] image = Fleet.espImage(100_000, 2);
        byte[] signedByUs = signed(image, pair);
        Release kept = tenant.release("2.0.0", signedByUs, null);
        assertThat(kept.firmwareSha256).isEqualTo(Fleet.sha256(signedByUs));
        assertThat(kept.firmwareSize).isEqualTo(signedByUs.length);

        byte[] signedByAnother = signed(image, rsa());
        assertThatThrownBy(() -> tenant.release("2.0.1", signedByAnother, null))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("does not verify");

        // The private key is in the database only encrypted; the audit trail names its fingerprint alone.
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("select private_key from signing_keys where tenant_id = ?")) {
            s.setString(1, tenant.id.toString());
            try (var rs = s.executeQuery()) {
                rs.next();
                String stored = HexFormat.of().formatHex(rs.getBytes(1));
                assertThat(stored)
                        .doesNotContain(HexFormat.of().formatHex(pair.getPrivate().getEncoded()).substring(100, 200));
            }
        }
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("select coalesce(before::text, '') ||"
                + " coalesce(after::text, '') from audit_events where tenant_id = ? and action like 'signing-key.%'")) {
            s.setString(1, tenant.id.toString());
            try (var rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).contains(key.fingerprint()).doesNotContain("PRIVATE").doesNotContain(
                        Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()).substring(0, 40));
            }
        }
    }

    @Test
    void aNewKeySignsNewReleasesAndOldOnesKeepTheirSignature() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        SigningKeyService.PublicKeyView first = tenant.as(() -> signingKeys.generate("SONOFF_BASIC"));
        Release old = tenant.release("1.0.0", Fleet.espImage(50_000, 3), null);
        SigningKeyService.PublicKeyView second = tenant.as(() -> signingKeys.generate("SONOFF_BASIC"));
        Release next = tenant.release("1.1.0", Fleet.espImage(50_000, 4), null);

        assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(old.firmwareSigningKeyId).isEqualTo(first.id());
        assertThat(next.firmwareSigningKeyId).isEqualTo(second.id());
        assertThat(tenant.as(() -> signingKeys.publicKey("SONOFF_BASIC")).id()).isEqualTo(second.id());

        tenant.as(() -> {
            signingKeys.retire("SONOFF_BASIC");
            return null;
        });
        assertThat(tenant.release("1.2.0", Fleet.espImage(50_000, 5), null).firmwareSigningKeyId).isNull();
    }

    @Test
    void aSigningProductRefusesEsp32Images() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        tenant.as(() -> signingKeys.generate("SONOFF_BASIC"));
        assertThatThrownBy(() -> tenant.release("2.0.0", Fleet.esp32Image(50_000, 6, 0), null))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("ESP32 devices would not verify");
    }

    private static byte[] signed(byte[] image, KeyPair pair) throws Exception {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(pair.getPrivate());
        rsa.update(image);
        byte[] signature = rsa.sign();
        byte[] out = Arrays.copyOf(image, image.length + signature.length + 4);
        System.arraycopy(signature, 0, out, image.length, signature.length);
        out[out.length - 4] = (byte) signature.length;
        out[out.length - 3] = (byte) (signature.length >> 8);
        return out;
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static PublicKey publicKey(String pem) throws Exception {
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
