package dev.firmament.tenant;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

/** The tenant the current request (or unit of off-request work) acts for; set only through {@link TenantContext}. */
@RequestScoped
class CurrentTenant {

    private UUID id;

    UUID id() {
        return id;
    }

    void set(UUID id) {
        this.id = id;
    }
}
