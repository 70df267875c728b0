package dev.firmament.console;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.audit.AuditEvent;
import dev.firmament.audit.AuditService;
import dev.firmament.device.DeviceAdoption;
import dev.firmament.rollout.Rollout;
import dev.firmament.rollout.RolloutProgress;
import dev.firmament.rollout.RolloutService;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;

/** The tenant's front page: the fleet by version, activity, rollouts in flight, silent devices, recent changes. */
// Not the sign-in pages beside it (TenantService.CONSOLE_PATHS): JAX-RS would prefer this template to them.
@Path("/console/{tenant: (?!(?:login|logout|account)$)[^/]+}")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class DashboardPage {

    /** A rollout with its progress, for the progress bars. */
    public record RolloutStatus(Rollout rollout, RolloutProgress progress) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(ConsoleQueries.FleetTotals totals, String versionsChart,
                String activityChart, String range, String adoptionChart, List<RolloutStatus> rollouts,
                List<ConsoleQueries.SilentDevice> silent, List<AuditEvent> audit);
    }

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("MMM d HH:00").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d").withZone(ZoneOffset.UTC);

    /** The activity chart's ranges: hours shown, and whether they are summed per day. */
    private static final Map<String, Integer> RANGES = Map.of("24h", 24, "7d", 7 * 24, "30d", 30 * 24);

    /** The adoption chart shows this many versions, the most common today first; the rest are "other". */
    private static final int ADOPTION_VERSIONS = 6;

    private final ConsoleQueries queries;
    private final RolloutService rollouts;
    private final AuditService audit;
    private final DeviceAdoption adoption;

    DashboardPage(ConsoleQueries queries, RolloutService rollouts, AuditService audit, DeviceAdoption adoption) {
        this.queries = queries;
        this.adoption = adoption;
        this.rollouts = rollouts;
        this.audit = audit;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance dashboard(@PathParam("tenant") String tenant, @QueryParam("range") String range) {
        List<ConsoleQueries.VersionCount> versions = queries.fleetByVersion().stream().limit(20).toList();
        String versionsChart = ChartData.of(Map.of("type", "bar", "data",
                Map.of("labels", versions.stream().map(v -> v.product() + " " + v.version()).toList(), "datasets",
                        List.of(Map.of("label", "devices", "data",
                                versions.stream().map(ConsoleQueries.VersionCount::devices).toList(), "backgroundColor",
                                "#3b6fd4"))),
                "options", Map.of("indexAxis", "y", "plugins", Map.of("legend", Map.of("display", false)))));
        String shown = range != null && RANGES.containsKey(range) ? range : "24h";
        boolean perDay = shown.equals("30d");
        // Per day, the range starts at midnight 29 days ago, so that the first day is a whole one like the others.
        int hours = perDay ? 29 * 24 + java.time.ZonedDateTime.now(ZoneOffset.UTC).getHour() + 1 : RANGES.get(shown);
        String activityChart = activityChart(queries.activity(hours), perDay);
        List<RolloutStatus> active = rollouts.list(null).stream()
                .filter(r -> r.rollout().state == Rollout.State.RUNNING || r.rollout().state == Rollout.State.PAUSED)
                .map(r -> new RolloutStatus(r.rollout(), rollouts.progress(r))).toList();
        return Templates.dashboard(queries.totals(), versionsChart, activityChart, shown,
                adoptionChart(adoption.byVersion(null, null, 30)), active, queries.silentDevices(10),
                audit.query(new AuditService.Query(null, null, null, null, null, 10)));
    }

    /** Check-ins and downloads per hour, or per day for the 30 days. */
    private static String activityChart(List<ConsoleQueries.HourlyActivity> hours, boolean perDay) {
        Map<String, long[]> points = new LinkedHashMap<>();
        for (ConsoleQueries.HourlyActivity hour : hours) {
            long[] sums = points.computeIfAbsent((perDay ? DAY : HOUR).format(hour.hour()), label -> new long[2]);
            sums[0] += hour.checkIns();
            sums[1] += hour.downloads();
        }
        return ChartData.of(Map.of("type", "line", "data",
                Map.of("labels", List.copyOf(points.keySet()), "datasets",
                        List.of(Map.of("label", "check-ins", "data", points.values().stream().map(p -> p[0]).toList(),
                                "borderColor", ChartData.colour(0), "pointRadius", 0),
                                Map.of("label", "downloads", "data", points.values().stream().map(p -> p[1]).toList(),
                                        "borderColor", ChartData.colour(1), "pointRadius", 0)))));
    }

    /** Devices seen per day, stacked by version: the most common versions today, the rest together. */
    static String adoptionChart(List<DeviceAdoption.Day> days) {
        Map<String, Long> today = days.get(days.size() - 1).versions();
        List<String> top = days.stream().flatMap(d -> d.versions().keySet().stream()).distinct()
                .sorted(Comparator.comparing((String v) -> -today.getOrDefault(v, 0L)).thenComparing(v -> v))
                .limit(ADOPTION_VERSIONS).toList();
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            String version = top.get(i);
            datasets.add(Map.of("label", version.isEmpty() ? "(unknown)" : version, "data",
                    days.stream().map(d -> d.versions().getOrDefault(version, 0L)).toList(), "backgroundColor",
                    ChartData.colour(i)));
        }
        List<Long> other = days.stream()
                .map(d -> d.devices() - top.stream().mapToLong(v -> d.versions().getOrDefault(v, 0L)).sum()).toList();
        if (other.stream().anyMatch(n -> n > 0)) {
            datasets.add(Map.of("label", "other", "data", other, "backgroundColor", ChartData.OTHER));
        }
        return ChartData.of(Map.of("type", "bar", "data",
                Map.of("labels", days.stream().map(d -> DAY.format(d.day().atStartOfDay(ZoneOffset.UTC))).toList(),
                        "datasets", datasets),
                "options", Map.of("scales", Map.of("x", Map.of("stacked", true), "y", Map.of("stacked", true)))));
    }
}
