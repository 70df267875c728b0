package dev.firmament.console;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.audit.AuditEvent;
import dev.firmament.audit.AuditService;
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
                String activityChart, List<RolloutStatus> rollouts, List<ConsoleQueries.SilentDevice> silent,
                List<AuditEvent> audit);
    }

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("MMM d HH:00").withZone(ZoneOffset.UTC);

    private final ConsoleQueries queries;
    private final RolloutService rollouts;
    private final AuditService audit;

    DashboardPage(ConsoleQueries queries, RolloutService rollouts, AuditService audit) {
        this.queries = queries;
        this.rollouts = rollouts;
        this.audit = audit;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance dashboard(@PathParam("tenant") String tenant) {
        List<ConsoleQueries.VersionCount> versions = queries.fleetByVersion().stream().limit(20).toList();
        String versionsChart = ChartData.of(Map.of("type", "bar", "data",
                Map.of("labels", versions.stream().map(v -> v.product() + " " + v.version()).toList(), "datasets",
                        List.of(Map.of("label", "devices", "data",
                                versions.stream().map(ConsoleQueries.VersionCount::devices).toList(), "backgroundColor",
                                "#3b6fd4"))),
                "options", Map.of("indexAxis", "y", "plugins", Map.of("legend", Map.of("display", false)))));
        List<ConsoleQueries.HourlyActivity> activity = queries.activity(48);
        String activityChart = ChartData.of(Map.of("type", "line", "data",
                Map.of("labels", activity.stream().map(a -> HOUR.format(a.hour())).toList(), "datasets",
                        List.of(Map.of("label", "check-ins", "data",
                                activity.stream().map(ConsoleQueries.HourlyActivity::checkIns).toList(), "borderColor",
                                "#3b6fd4", "pointRadius", 0),
                                Map.of("label", "downloads", "data",
                                        activity.stream().map(ConsoleQueries.HourlyActivity::downloads).toList(),
                                        "borderColor", "#2e8540", "pointRadius", 0)))));
        List<RolloutStatus> active = rollouts.list(null).stream()
                .filter(r -> r.rollout().state == Rollout.State.RUNNING || r.rollout().state == Rollout.State.PAUSED)
                .map(r -> new RolloutStatus(r.rollout(), rollouts.progress(r))).toList();
        return Templates.dashboard(queries.totals(), versionsChart, activityChart, active, queries.silentDevices(10),
                audit.query(new AuditService.Query(null, null, null, null, null, 10)));
    }
}
