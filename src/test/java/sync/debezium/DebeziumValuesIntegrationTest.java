package sync.debezium;

import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import sync.debezium.DebeziumCapture.Database;
import sync.debezium.DebeziumCapture.Event;
import sync.debezium.DebeziumCapture.Server;
import sync.mapping.ValueConverter;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every PostgreSQL type Sluice syncs to Salesforce, through the real connector
 * (camel-debezium-postgres, pgoutput, Sluice's settings): what Debezium emits, what
 * {@link DebeziumValues} makes of it and what {@link ValueConverter#toSalesforce} sends, exactly.
 * Then an UPDATE that leaves TOASTed columns alone (REPLICA IDENTITY DEFAULT): they arrive as
 * Debezium's placeholder and are left out; and a DELETE, whose "before" holds the key only.
 */
class DebeziumValuesIntegrationTest {

    private static final String LONG_TEXT = "0123456789abcdef".repeat(640);
    private static final List<String> LONG_TAGS = IntStream.range(0, 400)
            .mapToObj(i -> String.format("tag-%04d-%s", i, "y".repeat(24))).toList();
    private static final String LONG_JSON_TEXT = "x".repeat(10_000);
    private static final String TEXT = "héllo 🌍";

    /** Column, PostgreSQL type, Salesforce field type. */
    private static final String[][] COLUMNS = {
            {"id", "integer PRIMARY KEY", "int"},
            {"amount", "numeric(16,2)", "currency"},
            {"ratio", "numeric", "double"},
            {"qty", "integer DEFAULT 7", "int"},
            {"small", "smallint", "int"},
            {"big", "bigint", "int"},
            {"real_value", "real", "double"},
            {"score", "double precision", "percent"},
            {"active", "boolean", "boolean"},
            {"day", "date", "date"},
            {"at_local", "timestamp", "datetime"},
            {"at_local_ms", "timestamp(3)", "datetime"},
            {"at_zoned", "timestamptz", "datetime"},
            {"at_time", "time", "time"},
            {"at_time_ms", "time(3)", "time"},
            {"name", "text", "string"},
            {"code", "varchar(10)", "string"},
            {"fixed", "char(3)", "string"},
            {"folded", "citext", "string"},
            {"ref", "uuid", "string"},
            {"tags", "text[]", "multipicklist"},
            {"doc", "jsonb", "textarea"},
            {"long_text", "text", "textarea"},
            {"long_tags", "text[]", "multipicklist"},
            {"long_doc", "jsonb", "textarea"},
    };

    @ParameterizedTest(name = "{0}")
    @EnumSource(Server.class)
    void everyTypeArrivesAndConvertsExactly(Server server) throws Exception {
        Database db = server.database();
        String schema = "dbz_values_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String table = schema + ".all_types";
        List<String> definitions = Arrays.stream(COLUMNS).map(c -> c[0] + " " + c[1]).toList();
        db.exec("CREATE EXTENSION IF NOT EXISTS citext",
                "CREATE SCHEMA " + schema,
                "CREATE TABLE " + table + " (" + String.join(", ", definitions) + ")",
                // out of line and uncompressed, so the values are TOASTed whatever their content
                "ALTER TABLE " + table + " ALTER COLUMN long_text SET STORAGE EXTERNAL,"
                        + " ALTER COLUMN long_tags SET STORAGE EXTERNAL, ALTER COLUMN long_doc SET STORAGE EXTERNAL");
        try (DebeziumCapture capture = DebeziumCapture.start(db, "dbz-values", table, c -> { })) {
            insertRow(db, table);
            db.exec("UPDATE " + table + " SET name = 'changed', amount = amount + 1 WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 1");
            await().atMost(Duration.ofSeconds(60)).until(() -> capture.changes().size() >= 3);
            List<Event> changes = capture.changes();
            assertThat(changes).extracting(Event::operation).containsExactly("c", "u", "d");

            Event insert = changes.get(0);
            assertThat(insert.before()).isNull();
            assertRaw(insert.after());
            Map<String, Object> inserted = DebeziumValues.columns(insert.after());
            assertThat(inserted.keySet()).containsExactly(Arrays.stream(COLUMNS).map(c -> c[0]).toArray(String[]::new));
            assertThat(inserted).isEqualTo(expectedNormalized());
            assertThat(((BigDecimal) inserted.get("amount")).scale()).isEqualTo(2);
            assertThat(((BigDecimal) inserted.get("ratio")).scale()).isEqualTo(20);
            assertThat(toSalesforce(inserted)).isEqualTo(expectedSalesforce());

            Event update = changes.get(1);
            // REPLICA IDENTITY DEFAULT: no old row image for an update that keeps the key
            assertThat(update.before()).isNull();
            assertThat(update.column("long_text")).isEqualTo(DebeziumValues.UNAVAILABLE);
            assertThat(update.column("long_tags")).isEqualTo(List.of(DebeziumValues.UNAVAILABLE));
            assertThat(update.column("long_doc")).isEqualTo(DebeziumValues.UNAVAILABLE);
            Map<String, Object> updated = DebeziumValues.columns(update.after());
            Map<String, Object> expectedUpdate = expectedNormalized();
            expectedUpdate.keySet().removeAll(List.of("long_text", "long_tags", "long_doc"));
            expectedUpdate.put("name", "changed");
            expectedUpdate.put("amount", new BigDecimal("12346.60"));
            assertThat(updated).isEqualTo(expectedUpdate);
            assertThat(toSalesforce(updated)).containsEntry("amount", new BigDecimal("12346.60"))
                    .containsEntry("name", "changed").doesNotContainKeys("long_text", "long_tags", "long_doc");

            Event delete = changes.get(2);
            assertThat(delete.body()).isNull();
            Map<String, Object> deleted = DebeziumValues.columns(delete.beforeStruct());
            assertThat(deleted).containsEntry("id", 1L);
            assertThat(deleted).allSatisfy((column, value) -> {
                if (!column.equals("id")) {
                    assertThat(value).as(column).isNull();
                }
            });
        } finally {
            db.exec("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void insertRow(Database db, String table) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO %s VALUES (1, 12345.6, 3.14159265358979323846, NULL, -7, 9000000000, 1.1, 0.0025, true,
                  '2024-02-29', '2024-04-09 20:26:27.123456', '2024-04-09 20:26:27.123', '2024-04-09 22:26:27.123456+02',
                  '08:30:00.123456', '08:30:00.25', ?, '0012', 'ab', 'MiXeD', '8f0e4c1a-9a59-4d35-9e47-0d3c1c1b7a10',
                  ARRAY['Urgent', 'Export'], '{"b": 1, "a": [1, 2]}', ?, ?, jsonb_build_object('text', ?::text))"""
                .formatted(table))) {
            ps.setString(1, TEXT);
            ps.setString(2, LONG_TEXT);
            ps.setArray(3, c.createArrayOf("text", LONG_TAGS.toArray()));
            ps.setString(4, LONG_JSON_TEXT);
            ps.executeUpdate();
        }
    }

    /** The connector's own representation (the contract DebeziumValues reads). */
    private static void assertRaw(Struct after) {
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, String> logicalNames = new HashMap<>();
        after.schema().fields().forEach(f -> {
            raw.put(f.name(), after.getWithoutDefault(f.name()));
            if (f.schema().name() != null) {
                logicalNames.put(f.name(), f.schema().name());
            }
        });
        assertThat(raw).containsEntry("amount", "12345.60")
                .containsEntry("ratio", "3.14159265358979323846")
                .containsEntry("qty", null)
                .containsEntry("small", (short) -7)
                .containsEntry("big", 9_000_000_000L)
                .containsEntry("real_value", 1.1f)
                .containsEntry("score", 0.0025d)
                .containsEntry("day", 19_782)
                .containsEntry("at_local", 1_712_694_387_123_456L)
                .containsEntry("at_local_ms", 1_712_694_387_123L)
                .containsEntry("at_zoned", "2024-04-09T20:26:27.123456Z")
                .containsEntry("at_time", 30_600_123_456L)
                .containsEntry("at_time_ms", 30_600_250)
                .containsEntry("fixed", "ab ")
                .containsEntry("folded", "MiXeD")
                .containsEntry("tags", List.of("Urgent", "Export"))
                .containsEntry("doc", "{\"a\": [1, 2], \"b\": 1}");
        assertThat(logicalNames).isEqualTo(Map.of(
                "day", "io.debezium.time.Date",
                "at_local", "io.debezium.time.MicroTimestamp",
                "at_local_ms", "io.debezium.time.Timestamp",
                "at_zoned", "io.debezium.time.ZonedTimestamp",
                "at_time", "io.debezium.time.MicroTime",
                "at_time_ms", "io.debezium.time.Time",
                "ref", "io.debezium.data.Uuid",
                "doc", "io.debezium.data.Json",
                "long_doc", "io.debezium.data.Json"));
        // string-mode numerics are told from text only by the propagated source type
        assertThat(after.schema().field("amount").schema().parameters())
                .containsEntry("__debezium.source.column.type", "NUMERIC")
                .containsEntry("__debezium.source.column.length", "16")
                .containsEntry("__debezium.source.column.scale", "2");
        assertThat(after.schema().field("ratio").schema().parameters())
                .containsEntry("__debezium.source.column.type", "NUMERIC")
                .containsEntry("__debezium.source.column.length", "131089")
                .containsEntry("__debezium.source.column.scale", "0");
        // Debezium puts the column DEFAULT into the schema: Struct.get("qty") would say 7
        assertThat(after.schema().field("qty").schema().defaultValue()).isEqualTo(7);
    }

    private static Map<String, Object> expectedNormalized() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", 1L);
        m.put("amount", new BigDecimal("12345.60"));
        m.put("ratio", new BigDecimal("3.14159265358979323846"));
        m.put("qty", null);
        m.put("small", -7L);
        m.put("big", 9_000_000_000L);
        m.put("real_value", 1.1d);
        m.put("score", 0.0025d);
        m.put("active", true);
        m.put("day", LocalDate.of(2024, 2, 29));
        m.put("at_local", LocalDateTime.of(2024, 4, 9, 20, 26, 27, 123_456_000));
        m.put("at_local_ms", LocalDateTime.of(2024, 4, 9, 20, 26, 27, 123_000_000));
        m.put("at_zoned", Instant.parse("2024-04-09T20:26:27.123456Z"));
        m.put("at_time", LocalTime.of(8, 30, 0, 123_456_000));
        m.put("at_time_ms", LocalTime.of(8, 30, 0, 250_000_000));
        m.put("name", TEXT);
        m.put("code", "0012");
        m.put("fixed", "ab ");
        m.put("folded", "MiXeD");
        m.put("ref", "8f0e4c1a-9a59-4d35-9e47-0d3c1c1b7a10");
        m.put("tags", List.of("Urgent", "Export"));
        m.put("doc", "{\"a\": [1, 2], \"b\": 1}");
        m.put("long_text", LONG_TEXT);
        m.put("long_tags", LONG_TAGS);
        m.put("long_doc", "{\"text\": \"" + LONG_JSON_TEXT + "\"}");
        return m;
    }

    private static Map<String, Object> expectedSalesforce() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", 1L);
        m.put("amount", new BigDecimal("12345.60"));
        m.put("ratio", new BigDecimal("3.14159265358979323846"));
        m.put("qty", null);
        m.put("small", -7L);
        m.put("big", 9_000_000_000L);
        m.put("real_value", new BigDecimal("1.1"));
        m.put("score", new BigDecimal("0.0025"));
        m.put("active", true);
        m.put("day", "2024-02-29");
        m.put("at_local", "2024-04-09T20:26:27.123Z");
        m.put("at_local_ms", "2024-04-09T20:26:27.123Z");
        m.put("at_zoned", "2024-04-09T20:26:27.123Z");
        m.put("at_time", "08:30:00.123Z");
        m.put("at_time_ms", "08:30:00.250Z");
        m.put("name", TEXT);
        m.put("code", "0012");
        m.put("fixed", "ab ");
        m.put("folded", "MiXeD");
        m.put("ref", "8f0e4c1a-9a59-4d35-9e47-0d3c1c1b7a10");
        m.put("tags", "Urgent;Export");
        m.put("doc", "{\"a\": [1, 2], \"b\": 1}");
        m.put("long_text", LONG_TEXT);
        m.put("long_tags", String.join(";", LONG_TAGS));
        m.put("long_doc", "{\"text\": \"" + LONG_JSON_TEXT + "\"}");
        return m;
    }

    private static Map<String, Object> toSalesforce(Map<String, Object> columns) {
        Map<String, String> sfTypes = new HashMap<>();
        for (String[] c : COLUMNS) {
            sfTypes.put(c[0], c[2]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        columns.forEach((column, value) -> out.put(column, ValueConverter.toSalesforce(sfTypes.get(column), value)));
        return out;
    }
}
