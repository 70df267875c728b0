package dev.firmament.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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

import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.device.DeviceQueries;
import dev.firmament.device.DeviceService;
import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.format.ExportDownload;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.PinService;
import dev.firmament.tenant.TenantContext;

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

        /** The download of every device these filters match, as CSV. */
        public String csvExport() {
            return export("csv");
        }

        /** The download of every device these filters match, as NDJSON. */
        public String ndjsonExport() {
            return export("ndjson");
        }

        private String export(String format) {
            Map<String, Object> values = values();
            values.put("format", format);
            return ConsoleForms.queryString(values);
        }

        /** The query string of these filters on another page. */
        String query(int otherPage) {
            Map<String, Object> values = values();
            values.put("page", otherPage);
            return ConsoleForms.queryString(values);
        }

        private Map<String, Object> values() {
            Map<String, Object> values = new java.util.HashMap<>();
            values.put("q", q);
            values.put("product", product);
            values.put("group", group);
            values.put("status", status);
            values.put("seen", seen);
            values.put("sort", sort);
            return values;
        }

        /** The query these filters stand for; "seen" windows end now. */
        DeviceQueries.Filter filter(Instant now) {
            Instant seenSince = switch (seen == null ? "" : seen) {
            case "1h" -> now.minus(Duration.ofHours(1));
            case "1d" -> now.minus(Duration.ofDays(1));
            default -> null;
            };
            Instant seenBefore = "silent".equals(seen) ? now.minus(Duration.ofDays(1)) : null;
            return new DeviceQueries.Filter(product, null, group, q, seenSince, seenBefore, status, sort);
        }

        static Filters of(String q, String product, String group, String status, String seen, String sort, int page) {
            return new Filters(ConsoleForms.blankToNull(q), ConsoleForms.blankToNull(product),
                    ConsoleForms.id(group, "group"), ConsoleForms.blankToNull(status), ConsoleForms.blankToNull(seen),
                    ConsoleForms.blankToNull(sort), Math.max(0, page));
        }
    }

    /**
     * A refused bulk action (or a device address that is none), said above the list, with the devices still ticked and
     * the action still chosen.
     */
    public record Bulk(String error, java.util.Set<String> ticked, String action) {

        static final Bulk NONE = new Bulk(null, java.util.Set.of(), null);

        public boolean isTicked(String mac) {
            return ticked.contains(mac);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance devices(Filters filters, DeviceQueries.Page page, int pages, Bulk bulk,
                List<Product> products, List<GroupService.GroupSummary> groups, List<Release> releases);

        static native TemplateInstance devices$table(Filters filters, DeviceQueries.Page page, int pages, Bulk bulk);

        static native TemplateInstance device(DeviceQueries.DeviceDetail detail, String product,
                List<GroupService.GroupSummary> groups, List<DeviceQueries.DeviceEvent> events,
                List<ConsoleQueries.RolloutMembership> rollouts, List<Release> releases,
                Map<Long, String> releaseVersions);
    }

    private static final int PAGE_SIZE = 50;

    private final DeviceQueries queries;
    private final DeviceService devices;
    private final ProductService products;
    private final GroupService groups;
    private final ReleaseService releases;
    private final PinService pins;
    private final ConsoleQueries consoleQueries;
    private final TenantContext tenants;

    DevicesPage(DeviceQueries queries, DeviceService devices, ProductService products, GroupService groups,
            ReleaseService releases, PinService pins, ConsoleQueries consoleQueries, TenantContext tenants) {
        this.queries = queries;
        this.tenants = tenants;
        this.devices = devices;
        this.products = products;
        this.groups = groups;
        this.releases = releases;
        this.pins = pins;
        this.consoleQueries = consoleQueries;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance list(@PathParam("tenant") String tenant, @QueryParam("q") String q,
            @QueryParam("product") String product, @QueryParam("group") String group,
            @QueryParam("status") String status, @QueryParam("seen") String seen, @QueryParam("sort") String sort,
            @QueryParam("page") @DefaultValue("0") int page, @Context HttpHeaders headers) {
        Filters filters = Filters.of(q, product, group, status, seen, sort, page);
        boolean tableOnly = ConsoleResponses.isHtmx(headers)
                && "device-table".equals(headers.getHeaderString("HX-Target"));
        return listPage(filters, Bulk.NONE, tableOnly);
    }

    private TemplateInstance listPage(Filters filters, Bulk bulk, boolean tableOnly) {
        DeviceQueries.Page result = queries.list(filters.filter(Instant.now()), filters.page(), PAGE_SIZE);
        int pages = (int) Math.max(1, (result.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        if (tableOnly) {
            return Templates.devices$table(filters, result, pages, bulk);
        }
        return Templates.devices(filters, result, pages, bulk, products.list(), groups.list(), releases.list());
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Allowed(Role.VIEWER)
    public Response export(@PathParam("tenant") String tenant, @QueryParam("q") String q,
            @QueryParam("product") String product, @QueryParam("group") String group,
            @QueryParam("status") String status, @QueryParam("seen") String seen, @QueryParam("sort") String sort,
            @QueryParam("format") String format) {
        DeviceQueries.Filter filter = Filters.of(q, product, group, status, seen, sort, 0).filter(Instant.now());
        UUID tenantId = tenants.require();
        return ExportDownload.of(format, tenant + "-devices", DeviceQueries.EXPORT_COLUMNS,
                sink -> queries.export(tenantId, filter, sink));
    }

    /** Device events, by release or device: "who pulled release X", "what did device Y get". */
    @GET
    @Path("events/export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Allowed(Role.VIEWER)
    public Response exportEvents(@PathParam("tenant") String tenant, @QueryParam("releaseId") String releaseId,
            @QueryParam("mac") String mac, @QueryParam("type") String type, @QueryParam("format") String format) {
        var filter = new DeviceQueries.EventFilter(ConsoleForms.id(releaseId, "releaseId"),
                ConsoleForms.blankToNull(mac), ConsoleForms.blankToNull(type), null, null, null);
        UUID tenantId = tenants.require();
        return ExportDownload.of(format, tenant + "-events", DeviceQueries.EVENT_EXPORT_COLUMNS,
                sink -> queries.exportEvents(tenantId, filter, sink));
    }

    @GET
    @Path("{mac}")
    @Allowed(Role.VIEWER)
    public Response device(@PathParam("tenant") String tenant, @PathParam("mac") String mac) {
        DeviceQueries.DeviceDetail detail;
        try {
            detail = queries.find(mac).orElseThrow(() -> new NotFoundException("Device " + mac));
        } catch (FirmamentException e) {
            // A mistyped or unknown address: the list, searching for what was typed, says so.
            Filters search = Filters.of(mac, null, null, null, null, null, 0);
            return Response.status(e.status())
                    .entity(listPage(search, new Bulk(e.getMessage(), java.util.Set.of(), null), false)).build();
        }
        var productId = detail.device().assignedProductId != null ? detail.device().assignedProductId
                : detail.device().productId;
        String product = productId == null ? null : products.namesById().get(productId);
        List<Release> all = releases.list();
        Map<Long, String> versions = Release.versionsById(all);
        return Response.ok(Templates.device(detail, product,
                groups.list().stream().filter(g -> detail.groups().contains(g.id())).toList(),
                queries.events(DeviceQueries.EventFilter.ofDevice(mac), null, 100).items(),
                consoleQueries.rolloutsOf(mac), all, versions)).build();
    }

    /** One action on the ticked devices, all or nothing. */
    @POST
    @Path("bulk")
    @Allowed(Role.MAINTAINER)
    public Response bulk(@PathParam("tenant") String tenant, @RestForm List<String> mac, @RestForm String action,
            @RestForm String group, @RestForm String release, @RestForm String assignProduct, @RestForm String q,
            @RestForm String product, @RestForm String filterGroup, @RestForm String status, @RestForm String seen,
            @RestForm String sort, @RestForm @DefaultValue("0") int page, @Context HttpHeaders headers) {
        List<String> ticked = mac == null ? List.of() : mac;
        try {
            // One transaction, all or nothing; a refusal rolls it back before the page says why.
            String done = QuarkusTransaction.requiringNew()
                    .call(() -> applyBulk(ticked, action, group, release, assignProduct));
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices", done);
        } catch (FirmamentException e) {
            // Said above the list as it was filtered, with the same devices ticked and the same action chosen.
            return Response.status(e.status())
                    .entity(listPage(Filters.of(q, product, filterGroup, status, seen, sort, page),
                            new Bulk(e.getMessage(), java.util.Set.copyOf(ticked), action), false))
                    .build();
        }
    }

    private String applyBulk(List<String> mac, String action, String group, String release, String assignProduct) {
        if (mac.isEmpty()) {
            throw new InvalidInputException("no-devices", "Tick at least one device first");
        }
        return switch (action == null ? "" : action) {
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
        case "product" -> {
            // A person's choice wins over what the device reports, until cleared on the device's page.
            String name = ConsoleForms.blankToNull(assignProduct);
            if (name == null) {
                throw new InvalidInputException("missing-product", "Choose the product to assign the devices to");
            }
            var chosen = products.findByName(name);
            mac.forEach(
                    m -> devices.assignProduct(m, chosen.id).orElseThrow(() -> new NotFoundException("Device " + m)));
            yield mac.size() + " devices assigned to " + chosen.name;
        }
        default -> throw new InvalidInputException("invalid-action",
                "Choose an action: group, pin, block, unblock, product");
        };
    }

    @POST
    @Path("{mac}/pin")
    @Allowed(Role.MAINTAINER)
    public Response pin(@PathParam("tenant") String tenant, @PathParam("mac") String mac, @RestForm String release,
            @RestForm boolean allowDowngrade, @Context HttpHeaders headers) {
        var pin = pins.pin(mac, ConsoleForms.requiredRelease(release), allowDowngrade);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices/" + pin.mac,
                "Pinned to release " + pin.releaseId);
    }

    @POST
    @Path("{mac}/unpin")
    @Allowed(Role.MAINTAINER)
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
    public Response block(@PathParam("tenant") String tenant, @PathParam("mac") String mac, @RestForm boolean blocked,
            @Context HttpHeaders headers) {
        var device = devices.setBlocked(mac, blocked).orElseThrow(() -> new NotFoundException("Device " + mac));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/devices/" + device.mac,
                blocked ? "Blocked: the device is refused until unblocked" : "Unblocked");
    }
}
