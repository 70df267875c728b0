package dev.firmament.release;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Releases of the current tenant. */
@ApplicationScoped
public class ReleaseRepository implements PanacheRepositoryBase<Release, Long> {
}
