package dev.firmament.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.arc.Unremovable;

import dev.firmament.security.Caller;
import dev.firmament.security.CurrentCaller;
import dev.firmament.security.CurrentConsoleSession;
import dev.firmament.security.Role;
import dev.firmament.tenant.Tenant;
import dev.firmament.tenant.TenantContext;
import dev.firmament.tenant.TenantService;

/**
 * What every console page shows around its content, for the layout ({@code inject:console}): who is signed in, the
 * tenant and the caller's role in it, the tenants to switch to, the CSRF token and the flash message.
 */
@Named("console")
@RequestScoped
@Unremovable
public class ConsoleView {

    private final CurrentCaller caller;
    private final CurrentConsoleSession session;
    private final TenantContext tenantContext;
    private final TenantService tenants;
    private final HttpHeaders headers;
    private final UriInfo uri;
    private List<Tenant> openable;

    ConsoleView(CurrentCaller caller, CurrentConsoleSession session, TenantContext tenantContext, TenantService tenants,
            HttpHeaders headers, UriInfo uri) {
        this.caller = caller;
        this.session = session;
        this.tenantContext = tenantContext;
        this.tenants = tenants;
        this.headers = headers;
        this.uri = uri;
    }

    public String user() {
        return caller.get().map(Caller::name).orElse("");
    }

    public String csrf() {
        return session.get().map(s -> s.csrfToken()).orElse("");
    }

    /** The tenant of the page (always one the person may open), or null outside any tenant (the chooser). */
    public Tenant tenant() {
        return tenantContext.current().flatMap(id -> tenants().stream().filter(t -> t.id.equals(id)).findFirst())
                .orElse(null);
    }

    /** The base path of the tenant's pages, {@code /console/<slug>}. */
    public String base() {
        return tenant() == null ? "/console" : "/console/" + tenant().slug;
    }

    /** The tenant's management API, as seen from the browser's host. */
    public String apiBase() {
        return tenant() == null ? ""
                : uri.getBaseUri().toString().replaceAll("/+$", "") + "/api/v1/tenants/" + tenant().slug;
    }

    public String role() {
        return currentRole().map(Role::code).orElse("");
    }

    public boolean canChange() {
        return currentRole().filter(r -> r.includes(Role.MAINTAINER)).isPresent();
    }

    public boolean isOwner() {
        return currentRole().filter(r -> r.includes(Role.OWNER)).isPresent();
    }

    /** Whether the person administers the platform (tenants, password resets). */
    public boolean platformAdmin() {
        return caller.get().map(Caller::platformAdmin).orElse(false);
    }

    /**
     * The tenants this person can open: their memberships, or all of them for platform administrators. Read once per
     * request: the layout asks for them, and for the page's tenant, several times.
     */
    public List<Tenant> tenants() {
        if (openable == null) {
            openable = caller.get()
                    .map(current -> tenants.list().stream().filter(t -> current.roleIn(t.id.toString()).isPresent())
                            .sorted(Comparator.comparing(t -> t.name.toLowerCase(java.util.Locale.ROOT))).toList())
                    .orElse(List.of());
        }
        return openable;
    }

    /** The message of the action that redirected here (Post/Redirect/Get), if any. */
    public String flash() {
        Cookie cookie = headers.getCookies().get(ConsoleResponses.FLASH_COOKIE);
        return cookie == null ? null : URLDecoder.decode(cookie.getValue(), StandardCharsets.UTF_8);
    }

    private Optional<Role> currentRole() {
        Tenant current = tenant();
        return current == null ? Optional.empty() : caller.get().flatMap(c -> c.roleIn(current.id.toString()));
    }
}
