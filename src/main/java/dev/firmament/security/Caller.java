package dev.firmament.security;

import java.util.Map;
import java.util.Optional;

/**
 * Who is calling the management API: a token, the bootstrap token or a person, with its roles per tenant id.
 *
 * @param type
 *            {@code api-token}, {@code bootstrap}, {@code user}
 * @param id
 *            stable identifier for the audit trail (token id, user id)
 * @param name
 *            what people recognise (token name, e-mail)
 */
public record Caller(String type, String id, String name, boolean platformAdmin, Map<String, Role> roles) {

    /** The caller's role in a tenant: platform administrators act as owners everywhere. */
    public Optional<Role> roleIn(String tenantId) {
        return platformAdmin ? Optional.of(Role.OWNER) : Optional.ofNullable(roles.get(tenantId));
    }
}
