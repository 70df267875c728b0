package dev.firmament.console;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.BeanParam;
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

import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
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
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rollouts(List<RolloutRow> rollouts);

        static native TemplateInstance create(RolloutForm form, List<Release> releases,
                List<GroupService.GroupSummary> groups, String error);

        static native TemplateInstance rollout(RolloutRow row, List<RolloutProgress.Member> devices, String state,
                List<String> states);

        static native TemplateInstance rollout$progress(RolloutRow row);
    }

    private final RolloutService rollouts;
    private final ReleaseService releases;
    private final GroupService groups;

    RolloutsPage(RolloutService rollouts, ReleaseService releases, GroupService groups) {
        this.rollouts = rollouts;
        this.releases = releases;
        this.groups = groups;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        List<Release> all = releases.list();
        return Templates.rollouts(rollouts.list(null).stream().map(r -> row(r, all)).toList());
    }

    @GET
    @Path("new")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public TemplateInstance createForm(@PathParam("tenant") String tenant) {
        return Templates.create(RolloutForm.suggested(), releases.list(), groups.list(), null);
    }

    @POST
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response create(@PathParam("tenant") String tenant, @BeanParam RolloutForm form,
            @Context HttpHeaders headers) {
        RolloutService.RolloutWithWaves created;
        try {
            created = rollouts.create(form.spec());
        } catch (FirmamentException e) {
            String detail = e.getMessage() + (e.errors() == null || e.errors().isEmpty() ? ""
                    : "\n" + String.join("\n", e.errors().stream().map(String::valueOf).toList()));
            return Response.status(e.status()).entity(Templates.create(form, releases.list(), groups.list(), detail))
                    .build();
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/rollouts/" + created.rollout().id,
                "Rollout " + created.rollout().name + " created as a draft: check it, then start it");
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance rollout(@PathParam("tenant") String tenant, @PathParam("id") long id,
            @QueryParam("state") @DefaultValue("failed") String state) {
        RolloutRow row = row(rollouts.get(id), releases.list());
        return Templates.rollout(row, rollouts.devices(id, state.isBlank() ? null : state, null, 200, 0), state,
                RolloutProgress.DEVICE_STATES);
    }

    /** The progress section alone: the detail page polls it while the rollout runs. */
    @GET
    @Path("{id}/progress")
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance progress(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return Templates.rollout$progress(row(rollouts.get(id), releases.list()));
    }

    @POST
    @Path("{id}/{action: start|pause|resume|abort|advance|delete}")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
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
        case "start" -> "Started: the first wave is open";
        case "pause" -> "Paused: nothing more is offered until it is resumed";
        case "resume" -> "Resumed";
        case "abort" -> "Aborted: nothing more is offered";
        default -> "The next wave is open";
        };
        return ConsoleResponses.redirect(headers, base + "/" + id, done);
    }

    private RolloutRow row(RolloutService.RolloutWithWaves rollout, List<Release> all) {
        String release = all.stream().filter(r -> r.id.equals(rollout.rollout().releaseId)).map(r -> r.version)
                .findFirst().orElse("#" + rollout.rollout().releaseId);
        return new RolloutRow(rollout, rollouts.progress(rollout), release);
    }
}
