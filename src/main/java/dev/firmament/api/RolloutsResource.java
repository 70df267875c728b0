package dev.firmament.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.rollout.Rollout;
import dev.firmament.rollout.RolloutDeviceState;
import dev.firmament.rollout.RolloutInsights;
import dev.firmament.rollout.RolloutProgress;
import dev.firmament.rollout.RolloutService;
import dev.firmament.rollout.RolloutService.RolloutWithWaves;
import dev.firmament.rollout.RolloutService.WaveSpec;
import dev.firmament.rollout.RolloutService.WindowSpec;
import dev.firmament.rollout.RolloutWave;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.targeting.VersionCondition;

/** Staged rollouts: a release shipped wave by wave, advanced by thresholds, paused by failures. */
@Path("/api/v1/tenants/{tenant}/rollouts")
@Tag(name = "Rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class RolloutsResource {

    /**
     * A rollout definition. {@code eligibility} narrows the release's product to devices whose version is within
     * {@code versionMin}..{@code versionMax} (inclusive) and satisfies {@code versionConditions}, and, with
     * {@code groups}, that are in one of them. Waves are tried in order; a device is in the first that selects it.
     */
    public record RolloutRequest(@Schema(example = "2.1.0 to everyone") String name,
            @Schema(example = "17") Long releaseId, @Schema(example = "0") Integer priority, Eligibility eligibility,
            List<WaveSpec> waves, WindowSpec window,
            @Schema(description = "the engine starts the draft then (within the next year); omit to start by hand") Instant startAt,
            @Schema(description = "a rollback: required for a release older than the product's newest; devices on newer versions get it too") Boolean allowDowngrade) {
    }

    /** Which devices of the product the rollout may reach. */
    public record Eligibility(@Schema(example = "1.0.0") String versionMin,
            @Schema(example = "2.0.99") String versionMax, List<VersionCondition> versionConditions,
            @Schema(example = "[4]") List<Long> groups) {
    }

    /** Devices of a wave (or the whole rollout) per state. */
    public record CountsView(long devices, long pending, long offered, long downloaded, long installed, long failed,
            long quarantined, long reverted) {
        static CountsView of(RolloutProgress.Counts c) {
            return new CountsView(c.devices(), c.pending(), c.offered(), c.downloaded(), c.installed(), c.failed(),
                    c.quarantined(), c.reverted());
        }
    }

    /** A wave: its definition and how far it got. */
    public record WaveView(int position, String name, List<Long> groups, BigDecimal percent,
            BigDecimal successThreshold, BigDecimal failureThreshold, int soakMinutes, Integer maxConcurrentDownloads,
            boolean open, Instant openedAt, Instant soakUntil, CountsView counts, double installedPercent,
            double failurePercent, int failuresAcknowledged) {
    }

    /** A rollout with its progress. */
    public record RolloutView(long id, String name, long releaseId, String productId, int priority, String state,
            String pausedReason, List<VersionCondition> eligibleVersions, List<Long> eligibleGroups, WindowSpec window,
            boolean allowDowngrade, Instant startAt, int openWaves, Instant createdAt, Instant startedAt,
            Instant endedAt, List<WaveView> waves, CountsView total) {
    }

    /** One device's place and progress in a rollout. */
    public record RolloutDeviceView(String mac, int wave, String state, int downloads, String failure,
            Instant offeredAt, Instant downloadedAt, Instant finishedAt) {
        static RolloutDeviceView of(RolloutProgress.Member m) {
            return new RolloutDeviceView(m.mac(), m.wave(), m.state(), m.downloads(), m.failure(), m.offeredAt(),
                    m.downloadedAt(), m.finishedAt());
        }
    }

    /** Why a person pauses. */
    public record PauseRequest(@Schema(example = "Support calls from site B") String reason) {
    }

    private final RolloutService rollouts;
    private final RolloutInsights insights;

    RolloutsResource(RolloutService rollouts, RolloutInsights insights) {
        this.rollouts = rollouts;
        this.insights = insights;
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Create a rollout (a draft: nothing is offered until it starts)")
    public RolloutView create(@PathParam("tenant") String tenant, RolloutRequest request) {
        return view(rollouts.create(spec(request)));
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Rollouts, newest first, with progress; ?state=running|paused|… filters")
    public Page<RolloutView> list(@PathParam("tenant") String tenant, @QueryParam("state") String state,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        List<RolloutView> all = rollouts.list(state == null ? null : state(state)).stream().map(this::view).toList();
        return Page.of(PageCursor.of(all, "id", r -> PageCursor.sortable(r.id()), true, after, PageCursor.limit(limit)),
                uri);
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    @Operation(summary = "A rollout with its progress per wave")
    public RolloutView get(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return view(rollouts.get(id));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Replace the definition of a draft")
    public RolloutView update(@PathParam("tenant") String tenant, @PathParam("id") long id, RolloutRequest request) {
        return view(rollouts.update(id, spec(request)));
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Delete a draft (a rollout that ran is aborted instead, and kept)")
    public void delete(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        rollouts.delete(id);
    }

    @POST
    @Path("{id}/start")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Start a draft: the first wave opens. A first wave that reaches no device is refused (409"
            + " empty-first-wave) unless force=true")
    public RolloutView start(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("force") @DefaultValue("false") boolean force) {
        return view(rollouts.start(id, force));
    }

    @DELETE
    @Path("{id}/schedule")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Cancel a draft's scheduled start: it waits to be started by hand")
    public RolloutView unschedule(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return view(rollouts.unschedule(id));
    }

    @POST
    @Path("{id}/pause")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Pause: nothing new is offered; a reason in the body is kept")
    public RolloutView pause(@PathParam("tenant") String tenant, @PathParam("id") long id, PauseRequest request) {
        String reason = request == null || request.reason() == null || request.reason().isBlank() ? "Paused by hand"
                : request.reason().strip();
        if (reason.length() > 300) {
            throw new InvalidInputException("invalid-reason", "A pause reason is at most 300 characters");
        }
        return view(rollouts.pause(id, reason));
    }

    @POST
    @Path("{id}/resume")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Resume a paused rollout; failures so far are acknowledged")
    public RolloutView resume(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return view(rollouts.resume(id));
    }

    @POST
    @Path("{id}/abort")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Abort: offers stop at once and devices are left to the rules")
    public RolloutView abort(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return view(rollouts.abort(id));
    }

    @POST
    @Path("{id}/advance")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Open the next wave now, whatever the thresholds; after the last wave, complete")
    public RolloutView advance(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return view(rollouts.advance(id));
    }

    @GET
    @Path("{id}/devices")
    @Allowed(Role.VIEWER)
    @Operation(summary = "The rollout's devices, optionally of one state or wave (0-based), paged")
    public Page<RolloutDeviceView> devices(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("state") String state, @QueryParam("wave") Integer wave, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        if (state != null && RolloutDeviceState.of(state).isEmpty()) {
            throw new InvalidInputException("invalid-state", "Unknown device state " + state);
        }
        var slice = rollouts.devices(id, state == null ? List.of() : List.of(state), wave, after,
                PageCursor.limit(limit));
        return Page.of(slice.map(RolloutDeviceView::of), uri);
    }

    @GET
    @Path("{id}/preview")
    @Allowed(Role.VIEWER)
    @Operation(summary = "Who each wave reaches now (a draft: as if it started now) and what will hold devices back")
    public RolloutInsights.Preview preview(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return insights.preview(id);
    }

    @GET
    @Path("{id}/holds")
    @Allowed(Role.VIEWER)
    @Operation(summary = "Per wave, how many devices are held by each reason (wave-not-open, rollout-paused,"
            + " larger-than-free-space, …)")
    public RolloutInsights.Holds holds(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return insights.holds(id);
    }

    @GET
    @Path("{id}/holds/{reason}")
    @Allowed(Role.VIEWER)
    @Operation(summary = "The devices held by one reason, optionally of one wave (0-based), paged")
    public Page<RolloutInsights.HeldDevice> heldBy(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @PathParam("reason") String reason, @QueryParam("wave") Integer wave, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(insights.heldBy(id, reason, wave, after, PageCursor.limit(limit)), uri);
    }

    private static Rollout.State state(String code) {
        try {
            return Rollout.State.valueOf(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid-state", "Unknown rollout state " + code);
        }
    }

    private static RolloutService.RolloutSpec spec(RolloutRequest request) {
        Requests.require(request);
        Eligibility eligibility = request.eligibility() == null ? new Eligibility(null, null, null, null)
                : request.eligibility();
        List<VersionCondition> versions = VersionCondition.all(eligibility.versionMin(), eligibility.versionMax(),
                eligibility.versionConditions());
        List<Long> groups = eligibility.groups() == null ? List.of() : eligibility.groups();
        return new RolloutService.RolloutSpec(request.name(), request.releaseId(), request.priority(), versions, groups,
                request.waves(), request.window(), request.startAt(), Boolean.TRUE.equals(request.allowDowngrade()));
    }

    private RolloutView view(RolloutWithWaves rolloutWithWaves) {
        Rollout r = rolloutWithWaves.rollout();
        RolloutProgress progress = rollouts.progress(rolloutWithWaves);
        List<WaveView> waves = new ArrayList<>();
        for (RolloutWave w : rolloutWithWaves.waves()) {
            RolloutProgress.WaveProgress p = progress.waves().get(w.position);
            waves.add(new WaveView(w.position, w.name, List.of(w.groupIds), w.percent, w.successThreshold,
                    w.failureThreshold, w.soakMinutes, w.maxConcurrentDownloads, p.open(), p.openedAt(), p.soakUntil(),
                    CountsView.of(p.counts()), round(p.installedPercent()), round(p.failurePercent()),
                    p.failuresAcknowledged()));
        }
        WindowSpec window = r.windowDays == null ? null
                : new WindowSpec(java.util.Arrays.stream(r.windowDays)
                        .map(d -> java.time.DayOfWeek.of(d).name().substring(0, 3)).toList(), r.windowFrom.toString(),
                        r.windowTo.toString(), r.windowZone);
        return new RolloutView(r.id, r.name, r.releaseId, r.productId.toString(), r.priority, r.state.code(),
                r.pausedReason, r.eligibleVersions, List.of(r.eligibleGroupIds), window, r.allowDowngrade, r.startAt,
                r.openWaves, r.createdAt, r.startedAt, r.endedAt, waves, CountsView.of(progress.total()));
    }

    private static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }
}
