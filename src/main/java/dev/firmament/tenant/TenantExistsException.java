package dev.firmament.tenant;

import dev.firmament.errors.ConflictException;

/** A tenant with that slug already exists. */
public class TenantExistsException extends ConflictException {

    public TenantExistsException(String slug) {
        super("tenant-exists", "A tenant with slug '" + slug + "' already exists");
    }
}
