package dev.firmament.console;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.release.Release;
import dev.firmament.release.SigningKeyService;
import dev.firmament.security.LocalAccounts;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleLogin;
import dev.firmament.testing.Fleet;

/**
 * The product page of the console: the chip a product's devices have, and its signing key. Owners make, import, rotate
 * and retire keys; maintainers get the public key and the build step; viewers see whether releases are signed and no
 * key material. Refusals come back next to the form they are about.
 */
@QuarkusTest
class ProductConsoleTest {

    static final String PASSWORD = "a product password 1";

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    LocalAccounts accounts;

    @Inject
    SigningKeyService signingKeys;

    Fleet.Tenant tenant;
    String base;

    @BeforeEach
    void tenant() {
        tenant = fleet.tenant("SONOFF_BASIC");
        base = "/console/" + fleet.slugOf(tenant.id) + "/releases";
    }

    ConsoleLogin signIn(Role role) {
        String email = role.code() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        tenant.as(() -> members.add(email, role));
        accounts.setPassword(email, PASSWORD);
        return ConsoleLogin.signIn(email, PASSWORD, base);
    }

    @Test
    void theChipIsDeclaredOnTheProductPageAndAContradictionIsRefusedInPlace() {
        ConsoleLogin maintainer = signIn(Role.MAINTAINER);
        tenant.release("1.0.0", Fleet.espImage(5_000, 1), null);
        assertThat(maintainer.get(base + "/products/SONOFF_BASIC").asString()).contains("any chip");

        Response refused = maintainer.post(base + "/products/SONOFF_BASIC", "chipFamily", "esp32s3");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.asString()).contains("data-testid=\"chip-error\"")
                .contains("Releases 1.0.0 of SONOFF_BASIC hold firmware for another chip than ESP32-S3")
                .contains("<option value=\"esp32s3\" selected>");

        assertThat(maintainer.post(base + "/products/SONOFF_BASIC", "chipFamily", "esp8266").statusCode())
                .isEqualTo(303);
        String page = maintainer.get(base + "/products/SONOFF_BASIC").asString();
        assertThat(page).contains("data-testid=\"chip-family\">ESP8266<");
        assertThat(maintainer.get(base).asString()).contains("data-testid=\"products\"").contains("ESP8266");

        Response duplicate = maintainer.post(base + "/products", "name", "SONOFF_BASIC", "chipFamily", "esp32");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.asString()).contains("data-testid=\"product-error\"").contains("value=\"SONOFF_BASIC\"")
                .contains("<option value=\"esp32\" selected>");
        Response created = maintainer.post(base + "/products", "name", "S3_SENSOR", "chipFamily", "esp32s3");
        assertThat(created.statusCode()).isEqualTo(303);
        assertThat(created.header("Location")).endsWith(base + "/products/S3_SENSOR");
        assertThat(maintainer.get(base + "/products/S3_SENSOR").asString())
                .contains("data-testid=\"chip-family\">ESP32-S3<");
    }

    @Test
    void ownersManageTheSigningKeyMaintainersGetThePublicKeyViewersNoKeyMaterial() {
        ConsoleLogin owner = signIn(Role.OWNER);
        ConsoleLogin maintainer = signIn(Role.MAINTAINER);
        ConsoleLogin viewer = signIn(Role.VIEWER);
        String product = base + "/products/SONOFF_BASIC";
        assertThat(owner.get(product).asString()).contains("data-testid=\"not-signed\"").contains("Make a signing key");
        assertThat(maintainer.post(product + "/signing-key").statusCode()).isEqualTo(403);

        assertThat(owner.post(product + "/signing-key").statusCode()).isEqualTo(303);
        SigningKeyService.PublicKeyView key = tenant.as(() -> signingKeys.publicKey("SONOFF_BASIC"));
        String maintainerPage = maintainer.get(product).asString();
        assertThat(maintainerPage).contains(key.fingerprint()).contains("-----BEGIN PUBLIC KEY-----")
                .contains("ARDUINO_SIGNING").doesNotContain("Rotate: make a new key");
        Response file = maintainer.get(product + "/public.key");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.header("Content-Disposition")).contains("public.key");
        assertThat(file.asString()).isEqualTo(key.publicKeyPem());

        String viewerPage = viewer.get(product).asString();
        assertThat(viewerPage).contains("badge installed\">signed").doesNotContain(key.fingerprint())
                .doesNotContain("BEGIN PUBLIC KEY");
        assertThat(viewer.get(product + "/public.key").statusCode()).isEqualTo(403);

        Release signed = tenant.release("2.0.0", Fleet.espImage(6_000, 2), null);
        String releasePage = viewer.get(base + "/" + signed.id).asString();
        assertThat(releasePage).contains("an ESP8266 application image (built for 4 MB of flash)")
                .contains(key.fingerprint().substring(0, 16)).contains("flash mode dio");

        String pasted = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----";
        Response refused = owner.post(product + "/signing-key/import", "privateKeyPem", pasted);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("data-testid=\"import-error\"").doesNotContain("bm90IGEga2V5");
        assertThat(tenant.as(() -> signingKeys.publicKey("SONOFF_BASIC")).id()).as("the key is unchanged")
                .isEqualTo(key.id());

        assertThat(owner.post(product + "/signing-key").statusCode()).as("rotate").isEqualTo(303);
        assertThat(tenant.as(() -> signingKeys.publicKey("SONOFF_BASIC")).id()).isNotEqualTo(key.id());
        assertThat(viewer.get(base + "/" + signed.id).asString()).as("signed by the old key still")
                .contains(key.fingerprint().substring(0, 16));
        assertThat(owner.post(product + "/signing-key/retire").statusCode()).isEqualTo(303);
        assertThat(owner.get(product).asString()).contains("data-testid=\"not-signed\"");
        Release unsigned = tenant.release("3.0.0", Fleet.espImage(6_000, 3), null);
        assertThat(viewer.get(base + "/" + unsigned.id).asString()).contains("not signed");
    }
}
