package dev.firmament.console;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.BeanParam;
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

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.rollout.Rollout;
import dev.firmament.rollout.RolloutDeviceState;
import dev.firmament.rollout.RolloutInsights;
import dev.firmament.rollout.RolloutProgress;
import dev.firmament.rollout.RolloutService;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.VersionCondition;

/** Staged rollouts: the creation form, live progress per wave, and the controls. */
@Path("/console/{tenant}/rollouts")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class RolloutsPage {

    /** Wave rows the form offers; a rollout with more waves is created through the API. */
    static final int WAVE_ROWS = 6;

    /**
     * The creation form. Wave fields come as lists aligned by row (browsers send every text field, empty or not); rows
     * without a name are ignored.
     */
    public static class RolloutForm {
        @RestForm
        public String name;
        @RestForm
        public String release;
        @RestForm
        public String priority;
        @RestForm
        public String versionMin;
        @RestForm
        public String versionMax;
        @RestForm
        public List<String> eligibleGroup;
        @RestForm
        public List<String> day;
        @RestForm
        public String windowFrom;
        @RestForm
        public String windowTo;
        @RestForm
        public String windowZone;
        @RestForm
        public List<String> waveName;
        @RestForm
        public List<String> waveGroup;
        @RestForm
        public List<String> wavePercent;
        @RestForm
        public List<String> waveSuccess;
        @RestForm
        public List<String> waveFailure;
        @RestForm
        public List<String> waveSoak;
        @RestForm
        public List<String> waveCap;
        /** A UTC date and time ({@code datetime-local}), or empty to start by hand. */
        @RestForm
        public String startAt;
        @RestForm
        public String allowDowngrade;

        /**
         * A draft's definition, to edit it. Null when the form cannot show it whole (more waves than rows, or a wave or
         * the eligibility naming several groups): such a draft is edited through the API.
         */
        static RolloutForm of(RolloutService.RolloutWithWaves rollout) {
            dev.firmament.rollout.Rollout r = rollout.rollout();
            if (rollout.waves().size() > WAVE_ROWS || rollout.waves().stream().anyMatch(w -> w.groupIds.length > 1)) {
                return null;
            }
            String min = null;
            String max = null;
            for (VersionCondition c : r.eligibleVersions) {
                if (c.op().equals(">=") && min == null) {
                    min = c.value();
                } else if (c.op().equals("<=") && max == null) {
                    max = c.value();
                } else {
                    return null; // other conditions have no field in the form
                }
            }
            RolloutForm form = new RolloutForm();
            form.name = r.name;
            form.release = r.releaseId.toString();
            form.priority = Integer.toString(r.priority);
            form.versionMin = min;
            form.versionMax = max;
            form.eligibleGroup = java.util.Arrays.stream(r.eligibleGroupIds).map(String::valueOf).toList();
            form.waveName = new ArrayList<>();
            form.waveGroup = new ArrayList<>();
            form.wavePercent = new ArrayList<>();
            form.waveSuccess = new ArrayList<>();
            form.waveFailure = new ArrayList<>();
            form.waveSoak = new ArrayList<>();
            form.waveCap = new ArrayList<>();
            for (dev.firmament.rollout.RolloutWave w : rollout.waves()) {
                form.waveName.add(w.name);
                form.waveGroup.add(w.groupIds.length == 0 ? "" : w.groupIds[0].toString());
                form.wavePercent.add(w.percent == null ? "" : w.percent.stripTrailingZeros().toPlainString());
                form.waveSuccess.add(w.successThreshold.stripTrailingZeros().toPlainString());
                form.waveFailure.add(w.failureThreshold.stripTrailingZeros().toPlainString());
                form.waveSoak.add(Integer.toString(w.soakMinutes));
                form.waveCap.add(w.maxConcurrentDownloads == null ? "" : w.maxConcurrentDownloads.toString());
            }
            if (r.windowDays != null) {
                form.day = java.util.Arrays.stream(r.windowDays)
                        .map(d -> java.time.DayOfWeek.of(d).name().substring(0, 3)).toList();
                form.windowFrom = r.windowFrom.toString();
                form.windowTo = r.windowTo.toString();
            }
            form.windowZone = r.windowZone == null ? "UTC" : r.windowZone;
            form.startAt = r.startAt == null ? null
                    : java.time.LocalDateTime.ofInstant(r.startAt, java.time.ZoneOffset.UTC).toString();
            form.allowDowngrade = r.allowDowngrade ? "on" : null;
            return form;
        }

        /** The defaults people start from: a canary wave, a quarter, everyone. */
        static RolloutForm suggested() {
            RolloutForm form = new RolloutForm();
            form.priority = "0";
            form.windowZone = "UTC";
            form.waveName = new ArrayList<>(List.of("canary", "quarter", "everyone"));
            form.wavePercent = new ArrayList<>(List.of("1", "25", "100"));
            form.waveSuccess = new ArrayList<>(List.of("95", "95", ""));
            form.waveFailure = new ArrayList<>(List.of("5", "5", "5"));
            form.waveSoak = new ArrayList<>(List.of("60", "60", "0"));
            return form;
        }

        /** The value of a wave field in a row, for re-showing the form. */
        public String at(List<String> values, int row) {
            return values == null || row >= values.size() || values.get(row) == null ? "" : values.get(row);
        }

        public List<String> days() {
            return List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
        }

        public boolean hasDay(String code) {
            return day != null && day.contains(code);
        }

        public boolean waveHasGroup(int row, long id) {
            return at(waveGroup, row).equals(String.valueOf(id));
        }

        public boolean hasEligibleGroup(long id) {
            return eligibleGroup != null && eligibleGroup.contains(String.valueOf(id));
        }

        public List<Integer> rows() {
            return java.util.stream.IntStream.range(0, WAVE_ROWS).boxed().toList();
        }

        RolloutService.RolloutSpec spec() {
            List<RolloutService.WaveSpec> waves = new ArrayList<>();
            for (int row = 0; row < WAVE_ROWS; row++) {
                String waveName = at(this.waveName, row).trim();
                if (waveName.isEmpty()) {
                    continue;
                }
                Long group = ConsoleForms.id(at(waveGroup, row), "group");
                waves.add(new RolloutService.WaveSpec(waveName, group == null ? List.of() : List.of(group),
                        decimal(at(wavePercent, row), waveName + ": share"),
                        decimal(at(waveSuccess, row), waveName + ": success threshold"),
                        decimal(at(waveFailure, row), waveName + ": failure threshold"),
                        integer(at(waveSoak, row), waveName + ": soak minutes"),
                        integer(at(waveCap, row), waveName + ": concurrent downloads")));
            }
            boolean windowed = (day != null && !day.isEmpty()) || ConsoleForms.blankToNull(windowFrom) != null
                    || ConsoleForms.blankToNull(windowTo) != null;
            return new RolloutService.RolloutSpec(ConsoleForms.blankToNull(name), ConsoleForms.id(release, "release"),
                    integer(priority, "priority"),
                    VersionCondition.all(ConsoleForms.blankToNull(versionMin), ConsoleForms.blankToNull(versionMax),
                            null),
                    eligibleGroup == null ? List.of()
                            : eligibleGroup
                                    .stream().filter(g -> !g.isBlank()).map(g -> ConsoleForms.id(g, "group")).toList(),
                    waves,
                    windowed ? new RolloutService.WindowSpec(day == null ? List.of() : day,
                            ConsoleForms.blankToNull(windowFrom), ConsoleForms.blankToNull(windowTo),
                            ConsoleForms.blankToNull(windowZone)) : null,
                    instant(startAt), allowDowngrade != null && !allowDowngrade.isBlank());
        }

        private static java.time.Instant instant(String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return java.time.LocalDateTime.parse(value.trim()).toInstant(java.time.ZoneOffset.UTC);
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidInputException("invalid-start-at",
                        "Start at is a UTC date and time like 2026-12-24T02:00, was: " + value);
            }
        }

        private static BigDecimal decimal(String value, String what) {
            try {
                return value == null || value.isBlank() ? null : new BigDecimal(value.trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("invalid-number", what + " is a number, was: " + value);
            }
        }

        private static Integer integer(String value, String what) {
            try {
                return value == null || value.isBlank() ? null : Integer.valueOf(value.trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("invalid-number", what + " is a whole number, was: " + value);
            }
        }
    }

    /** A rollout with its progress and its release's version. */
    public record RolloutRow(RolloutService.RolloutWithWaves rollout, RolloutProgress progress, String release) {

        /** Whether the page follows it live: it runs, is paused, or is waiting for its scheduled start. */
        public boolean live() {
            var r = rollout.rollout();
            return r.state == Rollout.State.RUNNING || r.state == Rollout.State.PAUSED
                    || (r.state == Rollout.State.DRAFT && r.startAt != null);
        }

        /** Where it stands, in a sentence that is true whenever the page shows it. */
        public String status() {
            var r = rollout.rollout();
            int waves = rollout.waves().size();
            return switch (r.state) {
            case DRAFT -> r.startAt == null ? "Draft: nothing is offered until it is started."
                    : "Draft, scheduled: it starts by itself at " + ConsoleExtensions.utc(r.startAt) + ".";
            case RUNNING -> "Running: " + r.openWaves + " of " + waves + " waves open.";
            case PAUSED -> "Paused: " + r.pausedReason;
            case COMPLETED -> "Completed " + ConsoleExtensions.utc(r.endedAt)
                    + ": every wave is open, and devices that check in late still get the release.";
            case ABORTED -> "Aborted " + ConsoleExtensions.utc(r.endedAt) + ": it offers nothing more.";
            };
        }
    }

    /** Filters of the device table: the named states, or the devices of one hold. */
    public record DeviceFilter(String state, String hold, Integer wave) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rollouts(List<RolloutRow> rollouts);

        static native TemplateInstance create(RolloutForm form, Long editing, List<Release> releases,
                List<GroupService.GroupSummary> groups, String error);

        static native TemplateInstance rollout(RolloutRow row, RolloutInsights.Holds holds,
                RolloutInsights.Preview preview, List<RolloutProgress.Member> devices,
                List<RolloutInsights.HeldDevice> held, DeviceFilter filter, List<String> states,
                Map<Long, String> groupNames, boolean editable, boolean polled);

        static native TemplateInstance rollout$live(RolloutRow row, RolloutInsights.Holds holds, boolean editable,
                boolean polled);
    }

    private final RolloutService rollouts;
    private final RolloutInsights insights;
    private final ReleaseService releases;
    private final GroupService groups;

    RolloutsPage(RolloutService rollouts, RolloutInsights insights, ReleaseService releases, GroupService groups) {
        this.rollouts = rollouts;
        this.insights = insights;
        this.releases = releases;
        this.groups = groups;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        Map<Long, String> versions = releaseVersions();
        List<RolloutService.RolloutWithWaves> all = rollouts.list(null);
        Map<Long, RolloutProgress> progress = rollouts.progress(all);
        return Templates
                .rollouts(
                        all.stream()
                                .map(r -> new RolloutRow(r, progress.get(r.rollout().id),
                                        versions.getOrDefault(r.rollout().releaseId, "#" + r.rollout().releaseId)))
                                .toList());
    }

    @GET
    @Path("new")
    @Allowed(Role.MAINTAINER)
    public TemplateInstance createForm(@PathParam("tenant") String tenant) {
        return Templates.create(RolloutForm.suggested(), null, releases.list(), groups.list(), null);
    }

    @POST
    @Allowed(Role.MAINTAINER)
    public Response create(@PathParam("tenant") String tenant, @BeanParam RolloutForm form,
            @Context HttpHeaders headers) {
        RolloutService.RolloutWithWaves created;
        try {
            created = rollouts.create(form.spec());
        } catch (FirmamentException e) {
            return refused(form, null, e);
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rollouts/" + created.rollout().id,
                "Rollout " + created.rollout().name + " created as a draft: check it, then start it");
    }

    @GET
    @Path("{id}/edit")
    @Allowed(Role.MAINTAINER)
    public TemplateInstance editForm(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        RolloutService.RolloutWithWaves rollout = rollouts.get(id);
        RolloutForm form = RolloutForm.of(rollout);
        if (rollout.rollout().state != Rollout.State.DRAFT || form == null) {
            throw new dev.firmament.errors.ConflictException("rollout-state",
                    "Only a draft whose definition fits the form can be edited here; use the API for this one");
        }
        return Templates.create(form, id, releases.list(), groups.list(), null);
    }

    @POST
    @Path("{id}/edit")
    @Allowed(Role.MAINTAINER)
    public Response edit(@PathParam("tenant") String tenant, @PathParam("id") long id, @BeanParam RolloutForm form,
            @Context HttpHeaders headers) {
        try {
            rollouts.update(id, form.spec());
        } catch (FirmamentException e) {
            return refused(form, id, e);
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rollouts/" + id, "Draft saved");
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    public TemplateInstance rollout(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("state") String state, @QueryParam("hold") String hold, @QueryParam("wave") Integer wave) {
        RolloutService.RolloutWithWaves rollout = rollouts.get(id);
        RolloutRow row = row(rollout);
        boolean draft = rollout.rollout().state == Rollout.State.DRAFT;
        Map<Long, String> groupNames = new java.util.HashMap<>();
        groups.list().forEach(g -> groupNames.put(g.id(), g.name()));
        DeviceFilter filter;
        List<RolloutProgress.Member> devices = List.of();
        List<RolloutInsights.HeldDevice> held = null;
        if (hold != null && !hold.isBlank()) {
            held = insights.heldBy(id, hold, wave, null, 200).items();
            filter = new DeviceFilter(null, hold, wave);
        } else {
            String shown = state == null || state.isBlank() ? defaultFilter(row.progress().total()) : state;
            List<String> states = switch (shown) {
            case "problems" -> List.of("failed", "quarantined", "reverted");
            case "updating" -> List.of("offered", "downloaded");
            case "all" -> List.of();
            default -> {
                if (RolloutDeviceState.of(shown).isEmpty()) {
                    throw new InvalidInputException("invalid-state", "Unknown device state " + shown);
                }
                yield List.of(shown);
            }
            };
            devices = rollouts.devices(id, states, wave, null, 200).items();
            filter = new DeviceFilter(shown, null, wave);
        }
        return Templates.rollout(row, draft ? null : insights.holds(id), draft ? insights.preview(id) : null, devices,
                held, filter, TABLE_FILTERS, groupNames, RolloutForm.of(rollout) != null, false);
    }

    /** What the device table offers: the groups people look for first, then each state. */
    static final List<String> TABLE_FILTERS = java.util.stream.Stream
            .concat(java.util.stream.Stream.of("problems", "updating", "all"), RolloutDeviceState.CODES.stream())
            .toList();

    /** Failures first when there are any; otherwise the devices in flight. */
    static String defaultFilter(RolloutProgress.Counts total) {
        return total.failures() > 0 ? "problems" : total.offered() + total.downloaded() > 0 ? "updating" : "all";
    }

    /** The live part of the page alone (state, controls, message, counts, holds): the page polls it. */
    @GET
    @Path("{id}/live")
    @Allowed(Role.VIEWER)
    public TemplateInstance live(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        RolloutService.RolloutWithWaves rollout = rollouts.get(id);
        return Templates.rollout$live(row(rollout),
                rollout.rollout().state == Rollout.State.DRAFT ? null : insights.holds(id),
                RolloutForm.of(rollout) != null, true);
    }

    @POST
    @Path("{id}/schedule/delete")
    @Allowed(Role.MAINTAINER)
    public Response unschedule(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @Context HttpHeaders headers) {
        rollouts.unschedule(id);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rollouts/" + id,
                "Schedule cancelled: the draft waits to be started by hand");
    }

    /** The form again, as typed, with why it was refused in place. */
    private Response refused(RolloutForm form, Long editing, FirmamentException e) {
        String detail = e.getMessage() + (e.errors() == null || e.errors().isEmpty() ? ""
                : "\n" + String.join("\n", e.errors().stream().map(String::valueOf).toList()));
        return Response.status(e.status())
                .entity(Templates.create(form, editing, releases.list(), groups.list(), detail)).build();
    }

    @POST
    @Path("{id}/{action: start|pause|resume|abort|advance|delete}")
    @Allowed(Role.MAINTAINER)
    public Response control(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @PathParam("action") String action, @RestForm String reason, @RestForm boolean force,
            @Context HttpHeaders headers) {
        String base = "/console/" + tenant + "/rollouts";
        switch (action) {
        case "start" -> rollouts.start(id, force);
        case "pause" -> rollouts.pause(id,
                ConsoleForms.blankToNull(reason) == null ? "paused from the console" : reason.trim());
        case "resume" -> rollouts.resume(id);
        case "abort" -> rollouts.abort(id);
        case "advance" -> rollouts.advance(id);
        default -> {
            rollouts.delete(id);
            return ConsoleResponses.redirect(headers, base, "Draft deleted");
        }
        }
        String done = switch (action) {
        case "start" -> force ? "Started without a first wave: the rollout pauses at it"
                : "Started: the first wave is open";
        case "pause" -> "Paused: nothing more is offered until it is resumed";
        case "resume" -> "Resumed";
        case "abort" -> "Aborted: nothing more is offered";
        default -> "The next wave is open";
        };
        return ConsoleResponses.redirect(headers, base + "/" + id, done);
    }

    private RolloutRow row(RolloutService.RolloutWithWaves rollout) {
        return new RolloutRow(rollout, rollouts.progress(rollout),
                releaseVersions().getOrDefault(rollout.rollout().releaseId, "#" + rollout.rollout().releaseId));
    }

    private Map<Long, String> releaseVersions() {
        return Release.versionsById(releases.list());
    }
}
