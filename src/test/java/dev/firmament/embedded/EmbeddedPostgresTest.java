package dev.firmament.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.firmament.testing.Eventually;

/** The embedded server keeps data across restarts, is owned by one process, and survives its owner's SIGKILL. */
class EmbeddedPostgresTest {

    Path base;

    @BeforeEach
    void freshDirectory() throws Exception {
        base = Files.createTempDirectory(Files.createDirectories(Path.of("target", "embedded-postgres-test")), "pg-");
    }

    @Test
    void keepsDataAcrossARestart() throws Exception {
        try (EmbeddedPostgres first = EmbeddedPostgres.start(settings())) {
            execute(first, "create table survivors (name text)");
            execute(first, "insert into survivors values ('kept')");
        }

        try (EmbeddedPostgres second = EmbeddedPostgres.start(settings())) {
            assertThat(queryOne(second, "select name from survivors")).isEqualTo("kept");
        }
    }

    @Test
    void isDurableAndNeedsAPassword() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.start(settings())) {
            assertThat(queryOne(server, "show fsync")).isEqualTo("on");
            assertThat(queryOne(server, "show synchronous_commit")).isEqualTo("on");
            assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), "postgres", "wrong"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void refusesASecondOwnerOfTheSameDirectory() throws Exception {
        try (EmbeddedPostgres ignored = EmbeddedPostgres.start(settings())) {
            assertThatThrownBy(() -> EmbeddedPostgres.start(settings())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Another Firmament process");
        }
    }

    @Test
    void stopsAServerOrphanedByAKilledProcessAndTakesOver() throws Exception {
        EmbeddedPostgres orphan = EmbeddedPostgres.start(settings());
        execute(orphan, "create table survivors (name text)");
        execute(orphan, "insert into survivors values ('before the kill')");
        orphan.abandon();

        try (EmbeddedPostgres next = EmbeddedPostgres.start(settings())) {
            // The orphan no longer answers on its port (a zombie pid may linger where nobody reaps it).
            assertThatThrownBy(() -> queryOne(orphan, "select 1")).isInstanceOf(SQLException.class);
            assertThat(next.port()).isNotEqualTo(orphan.port());
            assertThat(queryOne(next, "select name from survivors")).isEqualTo("before the kill");
        }
    }

    @Test
    void aSupervisedServerThatIsKilledIsStartedAgainWithItsData() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.start(settings())) {
            execute(server, "create table survivors (name text)");
            execute(server, "insert into survivors values ('before the kill')");
            server.supervise(Duration.ofMillis(200));
            ProcessHandle postmaster = server.postmaster().orElseThrow();

            postmaster.destroyForcibly(); // SIGKILL, as the OOM killer does
            Eventually.await("the postmaster to die", Duration.ofSeconds(30), () -> postmaster.pid(),
                    pid -> server.postmaster().map(ProcessHandle::pid).filter(pid::equals).isEmpty());

            String kept = Eventually.await("the server to come back", Duration.ofSeconds(60),
                    () -> queryOne(server, "select name from survivors"), "before the kill"::equals);
            assertThat(kept).isEqualTo("before the kill");
            assertThat(server.postmaster().orElseThrow().pid()).isNotEqualTo(postmaster.pid());
        }
    }

    @Test
    void bundlesTheServerForX8664AndArm64AndNamesWhatIsMissingOtherwise() throws Exception {
        for (String arch : new String[] { "amd64", "x86_64", "aarch64", "arm64" }) {
            try (InputStream archive = EmbeddedPostgres.PostgresBinaries.archive(arch)) {
                // an XZ stream: zonky's archive of the PostgreSQL binaries for that architecture
                assertThat(archive.readNBytes(6)).as(arch).containsExactly(0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00);
            }
        }
        assertThat(digestOf("aarch64")).isNotEqualTo(digestOf("amd64"));
        assertThatThrownBy(() -> EmbeddedPostgres.PostgresBinaries.archive("riscv64"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("riscv64")
                .hasMessageContaining("QUARKUS_DATASOURCE_JDBC_URL");
    }

    private static String digestOf(String arch) throws Exception {
        try (InputStream archive = EmbeddedPostgres.PostgresBinaries.archive(arch)) {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(archive.readNBytes(1 << 20)));
        }
    }

    private EmbeddedPostgres.Settings settings() {
        return new EmbeddedPostgres.Settings(base, 0, "firmament", true, Duration.ofSeconds(60));
    }

    private static void execute(EmbeddedPostgres server, String sql) throws SQLException {
        try (var connection = DriverManager.getConnection(server.jdbcUrl(), server.username(), server.password());
                var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String queryOne(EmbeddedPostgres server, String sql) throws SQLException {
        try (var connection = DriverManager.getConnection(server.jdbcUrl(), server.username(), server.password());
                var statement = connection.createStatement(); var result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }
}
