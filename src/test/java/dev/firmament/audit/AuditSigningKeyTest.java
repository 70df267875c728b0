package dev.firmament.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint key is the one openssl makes and checks: an auditor needs nothing of ours to verify. */
class AuditSigningKeyTest {

    @TempDir
    Path dir;

    @Test
    void anOpensslKeySignsWhatOpensslVerifies() throws Exception {
        Path keyFile = dir.resolve("key.pem");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", keyFile.toString());
        String opensslPublic = run("openssl", "pkey", "-in", keyFile.toString(), "-pubout");
        AuditSigningKey key = new AuditSigningKey(AuditSigningKey.fromPkcs8(Files.readString(keyFile)), List.of());

        assertThat(key.publicKeyPem()).isEqualTo(opensslPublic);

        byte[] message = "chain: x\nseq: 1\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("message"), message);
        Files.write(dir.resolve("signature"), key.sign(message));
        Files.writeString(dir.resolve("public.pem"), key.publicKeyPem());
        assertThat(run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", dir.resolve("public.pem").toString(),
                "-rawin", "-in", dir.resolve("message").toString(), "-sigfile", dir.resolve("signature").toString()))
                        .contains("Signature Verified Successfully");
        String opensslId = run("sh", "-c",
                "openssl pkey -pubin -in " + dir.resolve("public.pem") + " -outform DER | sha256sum | cut -d' ' -f1")
                        .trim();
        assertThat(key.keyId()).isEqualTo(opensslId);
    }

    @Test
    void previousKeysStillVerifyAndUnknownKeysAreNamedAsSuch() {
        AuditSigningKey old = new AuditSigningKey(generated(), List.of());
        byte[] message = "m".getBytes(StandardCharsets.UTF_8);
        byte[] signature = old.sign(message);

        AuditSigningKey current = new AuditSigningKey(generated(), List.of(old.publicKeyPem()));
        AuditSigningKey forgetful = new AuditSigningKey(generated(), List.of());

        assertThat(current.verify(old.keyId(), message, signature)).contains(true);
        assertThat(current.verify(old.keyId(), "n".getBytes(StandardCharsets.UTF_8), signature)).contains(false);
        assertThat(forgetful.verify(old.keyId(), message, signature)).isEmpty();
    }

    @Test
    void aKeyThatIsNotEd25519IsRefusedSayingWhichSetting() {
        assertThatThrownBy(() -> AuditSigningKey.fromPkcs8("bm90IGEga2V5"))
                .hasMessageContaining("firmament.audit.signing-key");
    }

    private static java.security.KeyPair generated() {
        try {
            return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
