package dev.firmament.api;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/** The OpenAPI description of Firmament's HTTP surfaces (served at {@code /q/openapi}). */
@OpenAPIDefinition(info = @Info(title = "Firmament API", version = "1", description = """
        Firmware distribution for ESP8266/ESP32 fleets. The management API lives under /api/v1: tenant paths are
        /api/v1/tenants/{tenant}/..., where a tenant you are not a member of answers 404. Authenticate with an API
        token (Authorization: Bearer fmt_...) or a local account (Basic). Roles per tenant: viewer (read),
        maintainer (fleet changes), owner (keys, tokens, members). Errors are application/problem+json with a
        stable 'code'. Every change is recorded in the tenant's hash-chained audit trail. The device endpoints
        under /d/{deviceKey}/ speak the ESP8266httpUpdate/HTTPUpdate header protocol and NoFUSS."""), security = {
        @SecurityRequirement(name = "apiToken"), @SecurityRequirement(name = "localAccount") })
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "apiToken", type = SecuritySchemeType.HTTP, scheme = "bearer", description = "An API token (fmt_...), or the bootstrap token"),
        @SecurityScheme(securitySchemeName = "localAccount", type = SecuritySchemeType.HTTP, scheme = "basic", description = "A local account's e-mail and password") })
public class FirmamentApi extends Application {
}
