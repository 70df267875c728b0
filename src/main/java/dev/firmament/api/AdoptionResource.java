package dev.firmament.api;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.firmament.device.DeviceAdoption;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.ProductService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;

/** Adoption over time: per UTC day, the devices that checked in, by the version they ran. */
@Path("/api/v1/tenants/{tenant}/adoption")
@Tag(name = "Devices")
@Produces(MediaType.APPLICATION_JSON)
@Allowed(Role.VIEWER)
public class AdoptionResource {

    private final DeviceAdoption adoption;
    private final ProductService products;
    private final GroupService groups;

    AdoptionResource(DeviceAdoption adoption, ProductService products, GroupService groups) {
        this.adoption = adoption;
        this.products = products;
        this.groups = groups;
    }

    @GET
    @Operation(summary = "Per day (oldest first, today last), the devices seen and the versions they ran; optionally of"
            + " one product and one group")
    public List<DeviceAdoption.Day> byVersion(@PathParam("tenant") String tenant, @QueryParam("product") String product,
            @QueryParam("group") Long group, @QueryParam("days") @DefaultValue("30") int days) {
        if (group != null) {
            groups.members(group, null, 1); // 404 for a group this tenant does not have
        }
        return adoption.byVersion(product == null ? null : products.findByName(product).id, group, days);
    }

    @GET
    @Path("spread")
    @Operation(summary = "How one version spread: per group (0: the whole fleet) and day, the devices on it among"
            + " those seen")
    public List<DeviceAdoption.Spread> spread(@PathParam("tenant") String tenant, @QueryParam("product") String product,
            @QueryParam("version") String version, @QueryParam("days") @DefaultValue("30") int days) {
        if (product == null || version == null) {
            throw new InvalidInputException("invalid-parameter", "product and version are required");
        }
        UUID productId = products.findByName(product).id;
        return adoption.spread(productId, version, days);
    }
}
