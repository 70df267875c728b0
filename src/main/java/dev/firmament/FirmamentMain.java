package dev.firmament;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import dev.firmament.embedded.EmbeddedDatabaseLauncher;

/**
 * Starts Firmament. With no database configured, it first starts the embedded PostgreSQL server so that the packaged
 * app runs the whole product with zero configuration.
 */
@QuarkusMain
public final class FirmamentMain {

    private FirmamentMain() {
    }

    public static void main(String... args) {
        // The build runs the app once to record the classes it loads (AppCDS); that run stops before it would connect.
        if (!Boolean.getBoolean("quarkus.appcds.generate")) {
            EmbeddedDatabaseLauncher.startIfNoDatabaseConfigured();
        }
        Quarkus.run(args);
    }
}
