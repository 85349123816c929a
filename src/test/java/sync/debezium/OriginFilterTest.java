package sync.debezium;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sync.debezium.DebeziumCapture.Database;
import sync.debezium.DebeziumCapture.Event;
import sync.debezium.DebeziumCapture.Server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Echo suppression, PostgreSQL -> Salesforce side, through camel-debezium-postgres: rows written
 * by a session tagged with a replication origin (as Sluice's applier tags its sessions) must not
 * go back to Salesforce. From PostgreSQL 16, pgoutput drops them itself when Debezium starts the
 * stream with {@code slot.stream.params=origin=none}. PostgreSQL 14/15's pgoutput has no such
 * option, so their events arrive, and the {@code CamelDebeziumSourceMetadata} header names the
 * origin ({@code origin}) for Sluice to drop them.
 */
class OriginFilterTest {

    private static final String HEARTBEAT_IDENTIFIER = "__debezium-heartbeat.sluice-test";

    static Stream<Arguments> streams() {
        return Stream.of(
                arguments(Server.POSTGRES_18, true),
                // the metadata is there on 18 too, when the stream does not filter
                arguments(Server.POSTGRES_18, false),
                arguments(Server.POSTGRES_15, false));
    }

    @ParameterizedTest(name = "{0}, origin=none: {1}")
    @MethodSource("streams")
    void rowsOfOriginTaggedSessionsAreFilteredOrNamed(Server server, boolean originNone) throws Exception {
        Database db = server.database();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String schema = "dbz_origin_" + suffix;
        String table = schema + ".item";
        String origin = "sluice_" + suffix + "_1";
        db.exec("CREATE SCHEMA " + schema, "CREATE TABLE " + table + " (id int PRIMARY KEY, name text)",
                "SELECT pg_replication_origin_create('" + origin + "')");
        try (DebeziumCapture capture = DebeziumCapture.start(db, "dbz-origin", table, c -> {
            if (originNone) {
                c.setSlotStreamParams("origin=none");
            }
            c.setHeartbeatIntervalMs(500);
        })) {
            db.exec("INSERT INTO " + table + " VALUES (1, 'local before')");
            insertTagged(db, origin, table);
            db.exec("INSERT INTO " + table + " VALUES (3, 'local after')");

            // WAL order: once row 3 is here, row 2 has arrived or never will
            await().atMost(Duration.ofSeconds(60)).until(() -> ids(capture.changes()).contains(3));
            List<Event> changes = capture.changes();
            if (originNone) {
                assertThat(ids(changes)).containsExactly(1, 3);
            } else {
                assertThat(ids(changes)).containsExactly(1, 2, 3);
                Event tagged = changes.get(1);
                assertThat(tagged.operation()).isEqualTo("c");
                // the origin's name; origin_lsn is 0 as the session set no origin LSN (pg_replication_origin_xact_setup)
                assertThat(tagged.source()).containsEntry("origin", origin).containsEntry("origin_lsn", 0L);
            }
            assertThat(changes).filteredOn(e -> !Integer.valueOf(2).equals(e.column("id"))).allSatisfy(e ->
                    assertThat(e.source()).containsEntry("origin", null).containsEntry("origin_lsn", null));

            // Heartbeats reach the route too, as exchanges without operation, body or source
            await().atMost(Duration.ofSeconds(30)).until(() -> capture.events().stream()
                    .anyMatch(e -> HEARTBEAT_IDENTIFIER.equals(e.identifier())));
            assertThat(capture.events()).filteredOn(e -> HEARTBEAT_IDENTIFIER.equals(e.identifier())).allSatisfy(e -> {
                assertThat(e.operation()).isNull();
                assertThat(e.body()).isNull();
                assertThat(e.source()).isNull();
            });
            assertThat(capture.events()).filteredOn(e -> e.operation() == null)
                    .allSatisfy(e -> assertThat(e.identifier()).isEqualTo(HEARTBEAT_IDENTIFIER));
        } finally {
            db.exec("DROP SCHEMA " + schema + " CASCADE", "SELECT pg_replication_origin_drop('" + origin + "')");
        }
    }

    /** Why Sluice must not pass origin=none below PostgreSQL 16: the server refuses to decode. */
    @Test
    void postgres15RejectsTheOriginOption() {
        Database db = Server.POSTGRES_15.database();
        String slot = "origin_option_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        db.exec("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            assertThatThrownBy(() -> db.exec("SELECT count(*) FROM pg_logical_slot_peek_binary_changes('" + slot
                    + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'none', 'origin', 'none')"))
                    .hasMessageContaining("unrecognized pgoutput option: origin");
        } finally {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /** One row written as Sluice's applier writes: in a session tagged with a replication origin. */
    private static void insertTagged(Database db, String origin, String table) throws SQLException {
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
                ps.setString(1, origin);
                ps.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO " + table + " VALUES (2, 'from Salesforce')");
                s.execute("SELECT pg_replication_origin_session_reset()");
            }
        }
    }

    private static List<Object> ids(List<Event> changes) {
        return changes.stream().map(e -> e.after() == null ? null : e.column("id")).toList();
    }
}
