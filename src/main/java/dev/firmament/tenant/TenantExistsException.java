package dev.firmament.tenant;

/** A tenant with that slug already exists. */
public class TenantExistsException extends RuntimeException {

    public TenantExistsException(String slug) {
        super("A tenant with slug '" + slug + "' already exists");
    }
}
