package dev.firmament.api;

import java.util.Map;
import java.util.Optional;

import org.postgresql.util.PSQLException;

import dev.firmament.errors.ConflictException;
import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;

/**
 * What a refusal of PostgreSQL means to the caller. Services check what they can beforehand; this is the backstop for
 * what only the database can decide (two requests racing for one name) and for anything a check missed: a unique key is
 * a 409 naming what exists, never a 500.
 */
final class StoreErrors {

    /** Each unique key of the schema and what its violation tells the caller. */
    private static final Map<String, ConflictException> UNIQUE_KEYS = Map.ofEntries(
            conflict("uk_tenants_slug", "tenant-exists", "A tenant with this slug exists"),
            conflict("uk_products_tenant_name", "product-exists", "A product with this name exists"),
            conflict("uk_releases_tenant_product_version", "release-exists",
                    "This product already has a release with this version"),
            conflict("uk_mac_groups_tenant_name", "group-exists", "A group with this name exists"),
            conflict("uk_pins_tenant_mac", "pin-exists", "This device is pinned already"),
            conflict("uk_devices_tenant_mac", "device-exists", "A device with this MAC exists"),
            conflict("uk_users_email", "person-exists", "A person with this e-mail exists"),
            conflict("uk_members_tenant_user", "member-exists", "This person is a member already"),
            conflict("uk_version_rules_tenant_position", "rule-position-taken",
                    "Another change to the rules' order came first; reload and try again"),
            conflict("uk_rollout_waves_position", "wave-exists", "A wave at this position exists"),
            conflict("uk_device_keys_key_hash", "key-exists", "This key exists; try again"),
            conflict("uk_api_tokens_token_hash", "token-exists", "This token exists; try again"));

    private StoreErrors() {
    }

    private static Map.Entry<String, ConflictException> conflict(String constraint, String code, String message) {
        return Map.entry(constraint, new ConflictException(code, message));
    }

    /** The caller's problem behind a persistence failure, if it is one (else the failure is ours: a 500). */
    static Optional<FirmamentException> of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PSQLException sql && sql.getSQLState() != null) {
                return of(sql);
            }
        }
        return Optional.empty();
    }

    private static Optional<FirmamentException> of(PSQLException sql) {
        String constraint = sql.getServerErrorMessage() == null ? null : sql.getServerErrorMessage().getConstraint();
        return Optional.ofNullable(switch (sql.getSQLState()) {
        case "23505" -> UNIQUE_KEYS.getOrDefault(constraint,
                new ConflictException("conflict", "This conflicts with something that exists"));
        case "23503" -> new ConflictException("in-use",
                "This refers to something that does not exist, or is" + " still referred to by something else");
        case "22021", "22P05" -> new InvalidInputException("control-character",
                "A text field contains a NUL or another character that cannot be stored");
        case "22001" -> new InvalidInputException("too-long", "A text field is longer than it may be");
        case "23514", "23502" -> new InvalidInputException("invalid-input",
                "The request breaks a rule of the data: check the values");
        default -> null;
        });
    }
}
