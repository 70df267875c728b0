package dev.firmament.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.transaction.Transactional;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.device.DeviceQueries;
import dev.firmament.device.DeviceService;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.PinService;

/** The device registry: search, filters, sorting, paging, bulk actions, and one device's page. */
@Path("/console/{tenant}/devices")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class DevicesPage {

    /** The listing's filters as the form sends them; empty fields match everything. */
    public record Filters(String q, String product, Long group, String status, String seen, String sort, int page) {

        public String previousPage() {
            return query(page - 1);
        }

        public String nextPage() {
            return query(page + 1);
        }

        /** The query string of these filters on another page. */
        String query(int otherPage) {
            Map<String, Object> values = new java.util.HashMap<>();
            values.put("page", otherPage);
            values.put("q", q);
            values.put("product", product);
            values.put("group", group);
            values.put("status", status);
            values.put("seen", seen);
            values.put("sort", sort);
            return ConsoleForms.queryString(values);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance devices(Filters filters, DeviceQueries.Page page, int pages,
                List<Product> products, List<GroupService.GroupSummary> groups, List<Release> releases);

        static native TemplateInstance devices$table(Filters filters, DeviceQueries.Page page, int pages);

        static native TemplateInstance device(DeviceQueries.DeviceDetail detail, String product,
                List<GroupService.GroupSummary> groups, List<DeviceQueries.DeviceEvent> events,
                List<ConsoleQueries.RolloutMembership> rollouts, List<Release> releases);
    }

    private static final int PAGE_SIZE = 50;

    private final DeviceQueries queries;
    private final DeviceService devices;
    private final ProductService products;
    private final GroupService groups;
    private final ReleaseService releases;
    private final PinService pins;
    private final ConsoleQueries consoleQueries;

    DevicesPage(DeviceQueries queries, DeviceService devices, ProductService products, GroupService groups,
            ReleaseService releases, PinService pins, ConsoleQueries consoleQueries) {
        this.queries = queries;
        this.devices = devices;
        this.products = products;
        this.groups = groups;
        this.releases = releases;
        this.pins = pins;
        this.consoleQueries = consoleQueries;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance list(@PathParam("tenant") String tenant, @QueryParam("q") String q,
            @QueryParam("product") String product, @QueryParam("group") String group,
            @QueryParam("status") String status, @QueryParam("seen") String seen, @QueryParam("sort") String sort,
            @QueryParam("page") @DefaultValue("0") int page, @Context HttpHeaders headers) {
        Filters filters = new Filters(ConsoleForms.blankToNull(q), ConsoleForms.blankToNull(product),
                ConsoleForms.id(group, "group"), ConsoleForms.blankToNull(status), ConsoleForms.blankToNull(seen),
                ConsoleForms.blankToNull(sort), Math.max(0, page));
        Instant now = Instant.now();
        Instant seenSince = switch (filters.seen() == null ? "" : filters.seen()) {
        case "1h" -> now.minus(Duration.ofHours(1));
        case "1d" -> now.minus(Duration.ofDays(1));
        default -> null;
        };
        Instant seenBefore = "silent".equals(filters.seen()) ? now.minus(Duration.ofDays(1)) : null;
        DeviceQueries.Page result = queries.list(new DeviceQueries.Filter(filters.product(), null, filters.group(),
                filters.q(), seenSince, seenBefore, filters.status(), filters.sort(), filters.page(), PAGE_SIZE));
        int pages = (int) Math.max(1, (result.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        if (ConsoleResponses.isHtmx(headers) && "device-table".equals(headers.getHeaderString("HX-Target"))) {
            return Templates.devices$table(filters, result, pages);
        }
        return Templates.devices(filters, result, pages, products.list(), groups.list(), releases.list());
    }

    @GET
    @Path("{mac}")
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance device(@PathParam("tenant") String tenant, @PathParam("mac") String mac) {
        DeviceQueries.DeviceDetail detail = queries.find(mac).orElseThrow(() -> new NotFoundException("Device " + mac));
        var productId = detail.device().assignedProductId != null ? detail.device().assignedProductId
                : detail.device().productId;
        String product = productId == null ? null : products.namesById().get(productId);
        return Templates.device(detail, product,
                groups.list().stream().filter(g -> detail.groups().contains(g.id())).toList(),
                queries.events(null, mac, null, null, null, 100), consoleQueries.rolloutsOf(mac), releases.list());
    }

    /** One action on the ticked devices, all or nothing. */
    @POST
    @Path("bulk")
    @Transactional
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response bulk(@PathParam("tenant") String tenant, @RestForm List<String> mac, @RestForm String action,
            @RestForm String group, @RestForm String release, @Context HttpHeaders headers) {
        if (mac == null || mac.isEmpty()) {
            throw new InvalidInputException("no-devices", "Tick at least one device first");
        }
        String done = switch (action == null ? "" : action) {
        case "group" -> {
            Long groupId = ConsoleForms.id(group, "group");
            if (groupId == null) {
                throw new InvalidInputException("missing-group", "Choose the group to add the devices to");
            }
            int added = groups.addMembers(groupId, mac);
            yield added + " of " + mac.size() + " devices added to the group";
        }
        case "pin" -> {
            long releaseId = ConsoleForms.requiredRelease(release);
            mac.forEach(m -> pins.pin(m, releaseId, false));
            yield mac.size() + " devices pinned to release " + releaseId;
        }
        case "block", "unblock" -> {
            mac.forEach(m -> devices.setBlocked(m, action.equals("block"))
                    .orElseThrow(() -> new NotFoundException("Device " + m)));
            yield mac.size() + " devices " + action + "ed";
        }
        default -> throw new InvalidInputException("invalid-action", "Choose an action: group, pin, block, unblock");
        };
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices", done);
    }

    @POST
    @Path("{mac}/pin")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response pin(@PathParam("tenant") String tenant, @PathParam("mac") String mac, @RestForm String release,
            @RestForm boolean allowDowngrade, @Context HttpHeaders headers) {
        var pin = pins.pin(mac, ConsoleForms.requiredRelease(release), allowDowngrade);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices/" + pin.mac,
                "Pinned to release " + pin.releaseId);
    }

    @POST
    @Path("{mac}/unpin")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response unpin(@PathParam("tenant") String tenant, @PathParam("mac") String mac,
            @Context HttpHeaders headers) {
        if (!pins.unpin(mac)) {
            throw new NotFoundException("Pin of " + mac);
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices/" + mac, "Pin removed");
    }

    @POST
    @Path("{mac}/block")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response block(@PathParam("tenant") String tenant, @PathParam("mac") String mac, @RestForm boolean blocked,
            @Context HttpHeaders headers) {
        var device = devices.setBlocked(mac, blocked).orElseThrow(() -> new NotFoundException("Device " + mac));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices/" + device.mac,
                blocked ? "Blocked: the device is refused until unblocked" : "Unblocked");
    }
}
