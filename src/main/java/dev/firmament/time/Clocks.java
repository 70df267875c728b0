package dev.firmament.time;

import java.time.InstantSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.quarkus.arc.DefaultBean;

/** The one source of "now" for code where time decides something, so that tests can move it instead of waiting. */
public class Clocks {

    @Produces
    @DefaultBean
    @ApplicationScoped
    InstantSource system() {
        return InstantSource.system();
    }
}
