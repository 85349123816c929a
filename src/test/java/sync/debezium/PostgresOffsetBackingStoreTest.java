package sync.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.testing.PostgresResource;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Debezium's embedded engine with {@link PostgresOffsetBackingStore}: a second engine (a "new
 * pod" with no local state) resumes from the offsets stored in {@code sync.debezium_offset}. The
 * table starts with rows and {@code snapshot.mode=initial}: an engine without stored offsets
 * would snapshot them again, so seeing only the rows inserted while stopped proves the offsets
 * were read back from PostgreSQL.
 */
class PostgresOffsetBackingStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final String SCHEMA = "dbz_offset_test_" + SUFFIX;
    private static final String TABLE = SCHEMA + ".item";
    private static final String SLOT = "sluice_offset_test_" + SUFFIX;
    private static final String PUBLICATION = "sluice_offset_test_pub_" + SUFFIX;
    private static final String CONNECTOR = "sluice-offset-test-" + SUFFIX;

    private static String url;
    private static String user;

    @BeforeAll
    static void database() throws SQLException {
        Map<String, String> settings = PostgresResource.settings();
        url = settings.get("quarkus.datasource.jdbc.url");
        user = settings.get("quarkus.datasource.username");
        Flyway.configure().dataSource(url, user, null).schemas("sync")
                .locations("classpath:db/migration").load().migrate();
        exec("CREATE SCHEMA " + SCHEMA,
                "CREATE TABLE " + TABLE + " (id int PRIMARY KEY, name text)");
    }

    @AfterAll
    static void cleanUp() throws SQLException {
        await().atMost(Duration.ofSeconds(30)).until(() -> !slotActive());
        exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'",
                "DROP PUBLICATION IF EXISTS " + PUBLICATION,
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE",
                "DELETE FROM sync.debezium_offset WHERE connector = '" + CONNECTOR + "'");
    }

    @Test
    void newEngineResumesFromOffsetsStoredInPostgres() throws Exception {
        insert(1, 2, 3);                 // snapshotted by the first engine

        List<Change> first = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = Engine.start(first)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                engine.assertHealthy();
                assertThat(ids(first)).containsExactlyInAnyOrder(1, 2, 3);
            });
            insert(4, 5);                // streamed by the first engine
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                engine.assertHealthy();
                assertThat(ids(first)).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(storedOffsets()).anySatisfy(v -> assertThat(v).contains("lsn_proc")));
        }
        assertThat(first).filteredOn(c -> c.id <= 3).allSatisfy(c -> assertThat(c.op).isEqualTo("r"));
        assertThat(first).filteredOn(c -> c.id > 3).allSatisfy(c -> assertThat(c.op).isEqualTo("c"));

        // The stored offsets are readable by a fresh store, as a new pod would see them.
        assertThat(storedOffsets()).isNotEmpty();

        insert(6, 7, 8);                 // while no engine runs

        List<Change> second = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = Engine.start(second)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                engine.assertHealthy();
                assertThat(ids(second)).containsExactlyInAnyOrder(6, 7, 8);
            });
            insert(9);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                engine.assertHealthy();
                assertThat(ids(second)).containsExactlyInAnyOrder(6, 7, 8, 9);
            });
        }
        assertThat(second).allSatisfy(c -> assertThat(c.op).isEqualTo("c"));
        assertThat(storedOffsets()).isNotEmpty();
    }

    private record Change(String op, int id) {
    }

    private static List<Integer> ids(List<Change> changes) {
        synchronized (changes) {
            return changes.stream().map(Change::id).toList();
        }
    }

    /** One embedded Debezium engine on its own thread. */
    private static final class Engine implements AutoCloseable {
        private final DebeziumEngine<ChangeEvent<String, String>> engine;
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile String failureMessage;

        private Engine(List<Change> sink) {
            engine = DebeziumEngine.create(Json.class)
                    .using(engineProperties())
                    .using((success, message, error) -> {
                        if (!success) {
                            failureMessage = message;
                            failure.set(error != null ? error : new IllegalStateException(message));
                        }
                    })
                    .notifying((records, committer) -> {
                        for (ChangeEvent<String, String> record : records) {
                            Change change = parse(record.value());
                            if (change != null) {
                                sink.add(change);
                            }
                            committer.markProcessed(record);
                        }
                        committer.markBatchFinished();
                    })
                    .build();
        }

        static Engine start(List<Change> sink) {
            Engine e = new Engine(sink);
            e.executor.execute(e.engine);
            return e;
        }

        void assertHealthy() {
            assertThat(failure.get()).as("engine failure: %s", failureMessage).isNull();
        }

        @Override
        public void close() throws Exception {
            engine.close();
            executor.shutdown();
            assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertHealthy();
        }
    }

    private static Change parse(String value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(value);
            JsonNode payload = node.has("payload") ? node.get("payload") : node;
            JsonNode after = payload.get("after");
            if (after == null || after.isNull()) {
                return null;
            }
            return new Change(payload.get("op").asText(), after.get("id").asInt());
        } catch (Exception e) {
            throw new IllegalStateException("Unreadable change event: " + value, e);
        }
    }

    private static Properties engineProperties() {
        URI db = URI.create(url.substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", CONNECTOR);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", PostgresOffsetBackingStore.class.getName());
        p.setProperty(PostgresOffsetBackingStore.URL, url);
        p.setProperty(PostgresOffsetBackingStore.USER, user);
        p.setProperty(PostgresOffsetBackingStore.CONNECTOR, CONNECTOR);
        p.setProperty("offset.flush.interval.ms", "0");
        p.setProperty("database.hostname", db.getHost());
        p.setProperty("database.port", String.valueOf(db.getPort()));
        p.setProperty("database.dbname", db.getPath().substring(1));
        p.setProperty("database.user", user);
        p.setProperty("topic.prefix", "sluice-test");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", SLOT);
        p.setProperty("publication.name", PUBLICATION);
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", TABLE);
        p.setProperty("snapshot.mode", "initial");
        return p;
    }

    /** What a fresh store (a new pod) loads for the connector. */
    private static List<String> storedOffsets() {
        PostgresOffsetBackingStore store = new PostgresOffsetBackingStore();
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                PostgresOffsetBackingStore.URL, url,
                PostgresOffsetBackingStore.USER, user,
                PostgresOffsetBackingStore.CONNECTOR, CONNECTOR));
        try {
            store.configure(new io.debezium.embedded.EmbeddedWorkerConfig(props));
            store.start();
            List<String> out = new ArrayList<>();
            try (Connection c = connect();
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT offset_key FROM sync.debezium_offset WHERE connector = ?")) {
                ps.setString(1, CONNECTOR);
                List<java.nio.ByteBuffer> keys = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(java.nio.ByteBuffer.wrap(rs.getBytes(1)));
                    }
                }
                store.get(keys).get(10, TimeUnit.SECONDS).values().forEach(v -> {
                    byte[] b = new byte[v.remaining()];
                    v.duplicate().get(b);
                    out.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
                });
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            store.stop();
        }
    }

    private static boolean slotActive() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static void insert(int... ids) throws SQLException {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, name) VALUES (?, ?)")) {
            for (int id : ids) {
                ps.setInt(1, id);
                ps.setString(2, "row " + id);
                ps.executeUpdate();
            }
        }
    }

    private static void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, null);
    }
}
