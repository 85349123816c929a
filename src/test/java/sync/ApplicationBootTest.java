package sync;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import sync.config.SyncConfig;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;
import sync.testing.S3Resource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/** The application boots against the three external systems and is ready to sync. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(EmulatorResource.class)
class ApplicationBootTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    SyncConfig config;

    @Test
    void flywayCreatesTheControlSchema() throws SQLException {
        List<String> tables = strings("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'sync' AND table_type = 'BASE TABLE' ORDER BY table_name""");

        assertThat(tables).containsExactly("api_call", "dead_letter", "debezium_offset", "flyway_schema_history", "heartbeat",
                "outbound_bulk_job", "outbound_change", "processed_event", "record_state", "replay_position", "resync_job");
    }

    @Test
    void flywayHistoryRecordsTheMigrationInTheSyncSchema() throws SQLException {
        assertThat(strings("SELECT version FROM sync.flyway_schema_history WHERE success AND type = 'SQL' ORDER BY installed_rank"))
                .containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void postgresIsConfiguredForLogicalDecoding() throws SQLException {
        assertThat(strings("SHOW wal_level")).containsExactly("logical");
        assertThat(strings("SELECT current_setting('server_version_num')::int / 10000")).containsExactly("18");
    }

    @Test
    void readyWhenTheControlSchemaIsMigrated() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItem("sync-control-schema"))
                .body("checks.find { it.name == 'sync-control-schema' }.status", is("UP"))
                .body("checks.find { it.name == 'sync-control-schema' }.data.version", is("5"));
    }

    @Test
    void prometheusMetricsAreServed() {
        given().when().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void configurationComesFromTheTestResources() {
        assertThat(config.salesforce().loginUrl()).hasValueSatisfying(
                url -> assertThat(url.toString()).isEqualTo(EmulatorResource.emulator().baseUrl()));
        assertThat(config.salesforce().password()).contains(EmulatorResource.emulator().credentials().passwordWithToken());
        assertThat(config.staging().uri()).isEqualTo("aws2-s3:" + S3Resource.BUCKET);
        assertThat(config.staging().s3().forcePathStyle()).isTrue();
        assertThat(config.embedded().enabled()).isFalse();
    }

    private List<String> strings(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }
}
