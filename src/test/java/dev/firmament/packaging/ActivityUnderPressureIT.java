package dev.firmament.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

import dev.firmament.embedded.EmbeddedPostgres;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.PackagedApp;
import dev.firmament.testing.PackagedAppApi;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;

/**
 * What devices report survives the two pressures that do not involve the database going away: a write queue that
 * overflows (the database is frozen, so the writer cannot drain it), and the app killed with SIGKILL under load.
 */
class ActivityUnderPressureIT {

    static final String TOKEN = "activity-pressure-it-bootstrap-token";

    EmbeddedPostgres database;
    Process app;
    Path workDir;

    @AfterEach
    void stop() throws Exception {
        if (database != null) {
            signalDatabase("CONT");
        }
        if (app != null) {
            app.destroy(); // SIGTERM: an app on its embedded database stops that server too
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void checkInsThatFindTheQueueFullAreJournaledAndWrittenOnceTheWriterCatchesUp() throws Exception {
        int port = startApp("overflow-",
                Map.of("FIRMAMENT_DEVICES_QUEUE_CAPACITY", "50", "FIRMAMENT_DEVICES_FLUSH_INTERVAL", "200ms"));
        PackagedAppApi api = new PackagedAppApi(port, TOKEN);
        try (SimulatedFleet devices = fleet(api, port)) {
            devices.add("5C:CF:7F", 300, "1.0.0", md5, Behaviour.INSTALLS);
            devices.checkInAll();
            api.awaitJson(path("/devices?limit=1"), json -> json.getInt("total") == 300);

            // Frozen, the database holds the writer in the middle of a statement: nothing leaves the queue of 50.
            signalDatabase("STOP");
            for (int round = 0; round < 3; round++) {
                assertThat(devices.checkInAll()).as("answered from memory").isEmpty();
            }
            long answered = devices.checkIns.get();
            assertThat(metric(port, "firmament_devices_activity_spilled_total")).as("the queue overflowed")
                    .isGreaterThan(100);
            assertThat(activityHealth(port).getString("status")).isEqualTo("DOWN");
            signalDatabase("CONT");

            awaitEverythingWritten(port);
            assertThat(metric(port, "firmament_devices_activity_dropped_total")).isZero();
            assertThat(hourlyCheckIns()).as("every answered check-in, once").isEqualTo(answered);
        }
    }

    @Test
    void aKilledAppLosesAtMostTheCheckInsOfItsLastFlushInterval() throws Exception {
        Duration flushInterval = Duration.ofMillis(500);
        int port = startApp("kill-", Map.of("FIRMAMENT_DEVICES_FLUSH_INTERVAL", flushInterval.toMillis() + "ms"));
        PackagedAppApi api = new PackagedAppApi(port, TOKEN);
        ConcurrentLinkedQueue<Long> answeredAt = new ConcurrentLinkedQueue<>();
        long killedAt;
        try (SimulatedFleet devices = fleet(api, port)) {
            List<SimulatedFleet.Device> fleet = devices.add("5C:CF:7F", 400, "1.0.0", md5, Behaviour.INSTALLS);
            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService load = Executors.newFixedThreadPool(8);
            for (int thread = 0; thread < 8; thread++) {
                int first = thread;
                load.submit(() -> {
                    for (int i = first; loading.get(); i += 8) {
                        try {
                            devices.checkIn(fleet.get(i % fleet.size()));
                            answeredAt.add(System.nanoTime()); // the app answered, so it had taken the check-in
                        } catch (Exception refusedOnceKilled) {
                            return null;
                        }
                    }
                    return null;
                });
            }
            Eventually.await("load", Duration.ofSeconds(60), answeredAt::size, n -> n > 5_000);
            killedAt = System.nanoTime();
            app.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(app.waitFor(10, TimeUnit.SECONDS)).isTrue();
            loading.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        long answered = answeredAt.size();
        long inLastInterval = answeredAt.stream().filter(t -> t > killedAt - flushInterval.toNanos()).count();
        // A batch is collected for one flush interval, then written; the one being written when the process died is
        // lost with it, and so is what queued during that write. Under this load on two CPUs a write can take longer
        // than an interval (a CI run lost 2,497 check-ins against 2,495 answered in the last two intervals), so the
        // bound is three intervals: the batch collecting, the batch being written, and that write's own duration.
        long inLastThreeIntervals = answeredAt.stream().filter(t -> t > killedAt - 3 * flushInterval.toNanos()).count();

        app = PackagedApp.start(workDir.resolve("app"), port, environment, workDir.resolve("app-2.log"));
        PackagedApp.awaitReady(app, port, Duration.ofSeconds(90), workDir.resolve("app-2.log"));
        awaitEverythingWritten(port);
        long recorded = hourlyCheckIns();
        System.out.printf(
                "kill -9 under load: %d check-ins answered, %d recorded, %d lost; %d answered in the last"
                        + " flush interval (%s) before the kill%n",
                answered, recorded, answered - recorded, inLastInterval, flushInterval);
        assertThat(recorded).as("nothing counted twice").isLessThanOrEqualTo(answered);
        assertThat(answered - recorded).as("lost").isLessThanOrEqualTo(inLastThreeIntervals);
    }

    @Test
    void theEmbeddedDatabaseKilledUnderLoadComesBackByItselfAndNothingAnsweredMeanwhileIsLost() throws Exception {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")), "embedded-");
        pgData = workDir.resolve("app/firmament-data/postgres/data");
        int port = PackagedApp.freePort();
        app = PackagedApp.start(Files.createDirectories(workDir.resolve("app")), port,
                Map.of("FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN, "FIRMAMENT_DEVICES_FLUSH_INTERVAL", "200ms"),
                workDir.resolve("app.log"));
        PackagedApp.awaitReady(app, port, Duration.ofSeconds(120), workDir.resolve("app.log"));
        PackagedAppApi api = new PackagedAppApi(port, TOKEN);
        try (SimulatedFleet devices = fleet(api, port)) {
            devices.add("5C:CF:7F", 250, "1.0.0", md5, Behaviour.INSTALLS);
            devices.checkInAll();
            api.awaitJson(path("/devices?limit=1"), json -> json.getInt("total") == 250);

            long killed = postmasterPid();
            assertThat(new ProcessBuilder("kill", "-KILL", Long.toString(killed)).start().waitFor()).isZero();
            for (int round = 0; round < 3; round++) {
                assertThat(devices.checkInAll()).as("answered from memory").isEmpty();
            }
            long answered = devices.checkIns.get();

            Eventually.await("the supervisor to start PostgreSQL again", Duration.ofSeconds(60), this::postmasterPid,
                    pid -> pid != killed && ProcessHandle.of(pid).isPresent());
            awaitEverythingWritten(port);
            assertThat(hourlyCheckIns()).as("every answered check-in, once").isEqualTo(answered);
            assertThat(
                    api.api().get(path("/devices?limit=1")).then().statusCode(200).extract().jsonPath().getInt("total"))
                            .isEqualTo(250);
            assertThat(Files.readString(workDir.resolve("app.log"))).contains("The embedded PostgreSQL server is back");
        }
    }

    private String md5;
    private Path pgData;
    /** The app's environment: the external database, the bootstrap token and the test's settings. */
    private Map<String, String> environment;

    private int startApp(String name, Map<String, String> settings) throws Exception {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")), name);
        pgData = workDir.resolve("postgres").resolve("data");
        database = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(workDir.resolve("postgres"), 0, "firmament",
                false, Duration.ofSeconds(60)));
        environment = new java.util.HashMap<>(Map.of("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", database.username(), "QUARKUS_DATASOURCE_PASSWORD", database.password(),
                "FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN));
        environment.putAll(settings);
        int port = PackagedApp.freePort();
        app = PackagedApp.start(Files.createDirectories(workDir.resolve("app")), port, environment,
                workDir.resolve("app.log"));
        PackagedApp.awaitReady(app, port, Duration.ofSeconds(90), workDir.resolve("app.log"));
        return port;
    }

    /** A tenant with one release and a device key; devices on it get 304s. */
    private SimulatedFleet fleet(PackagedAppApi api, int port) {
        api.api().body(Map.of("slug", "acme", "name", "Acme", "owner", "owner@acme.example")).post("/api/v1/tenants")
                .then().statusCode(201);
        api.api().body(Map.of("name", "SONOFF_BASIC")).post(path("/products")).then().statusCode(201);
        String key = api.api().body(Map.of("name", "field", "product", "SONOFF_BASIC")).post(path("/device-keys"))
                .then().statusCode(201).extract().jsonPath().getString("key");
        byte[] image = Fleet.espImage(6_000, 1);
        md5 = Fleet.md5(image);
        api.upload(path("/releases"), "1.0.0", image);
        return new SimulatedFleet("http://127.0.0.1:" + port + "/d/" + key + "/update", Map.of(md5, "1.0.0"));
    }

    /** SIGSTOP or SIGCONT to the PostgreSQL server and every backend: frozen, it accepts and never answers. */
    private void signalDatabase(String signal) throws IOException, InterruptedException {
        if (!Files.exists(pgData.resolve("postmaster.pid"))) {
            return;
        }
        long pid = postmasterPid();
        List<String> backends = new ArrayList<>(List.of("kill", "-" + signal));
        ProcessHandle.of(pid).ifPresent(
                postmaster -> postmaster.descendants().forEach(backend -> backends.add(Long.toString(backend.pid()))));
        if (backends.size() > 2) {
            new ProcessBuilder(backends).start().waitFor(); // a backend may end meanwhile; that one needs no signal
        }
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor())
                .as("kill -%s the postmaster", signal).isZero();
    }

    /** The first line of PostgreSQL's pid file; the fourth is its port. */
    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
    }

    private long hourlyCheckIns() throws Exception {
        try (Connection c = database != null
                ? DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password())
                : embeddedDatabase(); var statement = c.createStatement();
                ResultSet rs = statement
                        .executeQuery("select coalesce(sum(checkins), 0) from device_activity_hourly")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The app's own embedded server, with the superuser password it keeps beside the data. */
    private Connection embeddedDatabase() throws Exception {
        String port = Files.readAllLines(pgData.resolve("postmaster.pid")).get(3).trim();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/firmament", "postgres",
                Files.readString(pgData.getParent().resolve("superuser.password")).trim());
    }

    private static JsonPath activityHealth(int port) {
        return RestAssured.given().get("http://127.0.0.1:" + port + "/q/health/group/activity").jsonPath();
    }

    /** The journal is empty and nothing waits in memory. */
    private static void awaitEverythingWritten(int port) throws Exception {
        Eventually.assertThat(Duration.ofSeconds(60), () -> {
            JsonPath health = activityHealth(port);
            assertThat(health.getString("status")).as(health.prettify()).isEqualTo("UP");
            assertThat(health.getLong("checks[0].data.unwritten")).as(health.prettify()).isZero();
        });
    }

    private static double metric(int port, String name) {
        String metrics = RestAssured.given().get("http://127.0.0.1:" + port + "/q/metrics").asString();
        try (Stream<String> lines = metrics.lines()) {
            return lines.filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        }
    }

    private static String path(String suffix) {
        return "/api/v1/tenants/acme" + suffix;
    }
}
