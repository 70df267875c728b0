package dev.firmament.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers the resources every Quarkus test needs, whatever test class runs first. */
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
public final class GlobalTestResources {

    private GlobalTestResources() {
    }
}
