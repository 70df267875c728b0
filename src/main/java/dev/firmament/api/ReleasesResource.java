package dev.firmament.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.ImageHeader;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseDownloads;
import dev.firmament.release.ReleaseService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;

/** Releases: firmware and filesystem images of a product version. */
@Path("/api/v1/tenants/{tenant}/releases")
@Tag(name = "Releases")
@Produces(MediaType.APPLICATION_JSON)
public class ReleasesResource {

    /**
     * Size and digests of one image; for firmware also what its header says ({@code image}: null for firmware stored
     * before headers were read) and the signing key it is signed with (null: not signed by Firmament).
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record ImageView(long size, String md5, String sha256, ImageHeader image, Long signingKeyId) {
    }

    /** A release. */
    public record ReleaseView(long id, String productId, String version, String notes, ImageView firmware,
            ImageView filesystem, Instant createdAt) {
        static ReleaseView of(Release r) {
            return new ReleaseView(r.id, r.productId.toString(), r.version, r.notes,
                    r.firmwareSha256 == null ? null
                            : new ImageView(r.firmwareSize, r.firmwareMd5, r.firmwareSha256, r.firmwareHeader(),
                                    r.firmwareSigningKeyId),
                    r.filesystemSha256 == null ? null
                            : new ImageView(r.filesystemSize, r.filesystemMd5, r.filesystemSha256, null, null),
                    r.createdAt);
        }
    }

    private final ReleaseService releases;
    private final ReleaseDownloads downloads;

    ReleasesResource(ReleaseService releases, ReleaseDownloads downloads) {
        this.releases = releases;
        this.downloads = downloads;
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Change a release's notes ({\"notes\": \"…\"}, null to clear); its images never change")
    public ReleaseView patch(@PathParam("tenant") String tenant, @PathParam("id") long id,
            java.util.Map<String, Object> changes) {
        List<String> unknown = Requests.require(changes).keySet().stream().filter(field -> !field.equals("notes"))
                .sorted().toList();
        if (!unknown.isEmpty()) {
            throw new InvalidInputException("unknown-field",
                    "Unknown field '" + String.join("', '", unknown) + "'; this request takes [notes]");
        }
        if (!changes.containsKey("notes")
                || (changes.get("notes") != null && !(changes.get("notes") instanceof String))) {
            throw new InvalidInputException("invalid-patch", "Send notes: a text, or null to clear them");
        }
        return ReleaseView.of(releases.setNotes(id, (String) changes.get("notes")));
    }

    @GET
    @Path("{id}/firmware")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Allowed(Role.VIEWER)
    @Operation(summary = "Download the firmware image, byte for byte what devices get")
    public Response firmware(@PathParam("tenant") String tenant, @PathParam("id") long id) throws java.io.IOException {
        return downloads.download(id, "firmware");
    }

    @GET
    @Path("{id}/filesystem")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Allowed(Role.VIEWER)
    @Operation(summary = "Download the filesystem image, byte for byte what devices get")
    public Response filesystem(@PathParam("tenant") String tenant, @PathParam("id") long id)
            throws java.io.IOException {
        return downloads.download(id, "filesystem");
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Upload a release: form fields product, version, notes and files firmware and/or filesystem;"
            + " optional firmwareMd5, firmwareSha256, filesystemMd5, filesystemSha256 are checked")
    public ReleaseView create(@PathParam("tenant") String tenant, @RestForm String product, @RestForm String version,
            @RestForm String notes, @RestForm FileUpload firmware, @RestForm FileUpload filesystem,
            @RestForm String firmwareMd5, @RestForm String firmwareSha256, @RestForm String filesystemMd5,
            @RestForm String filesystemSha256) throws IOException {
        try (InputStream firmwareIn = open(firmware); InputStream filesystemIn = open(filesystem)) {
            return ReleaseView.of(releases.create(product, version, notes,
                    firmwareIn == null ? null : new ReleaseService.ImageUpload(firmwareIn, firmwareMd5, firmwareSha256),
                    filesystemIn == null ? null
                            : new ReleaseService.ImageUpload(filesystemIn, filesystemMd5, filesystemSha256)));
        }
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Releases, newest first, optionally of one product, paged")
    public Page<ReleaseView> list(@PathParam("tenant") String tenant, @QueryParam("product") String product,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        var slice = releases.list(product, after, PageCursor.limit(limit));
        return Page.of(slice.map(ReleaseView::of), uri);
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    @Operation(summary = "One release")
    public ReleaseView get(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return ReleaseView.of(releases.find(id));
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Delete a release no rule or pin uses (409 otherwise)")
    public void delete(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        releases.delete(id);
    }

    private static InputStream open(FileUpload upload) throws IOException {
        return upload == null || upload.uploadedFile() == null ? null : Files.newInputStream(upload.uploadedFile());
    }
}
