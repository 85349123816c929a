package sync.debezium;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresComponent;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.connect.data.Struct;
import org.flywaydb.core.Flyway;
import sync.testing.Postgres15;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * A camel-debezium-postgres route, configured as Sluice configures it, that records every
 * exchange it receives; on close it stops and removes its slot, publication and stored offsets.
 * Test plumbing for the Debezium tests, on the embedded PostgreSQL 18 or on PostgreSQL 15.
 */
final class DebeziumCapture implements AutoCloseable {

    /** The test servers, resolved only when a test runs (PostgreSQL 15 may be skipped there). */
    enum Server {
        POSTGRES_18, POSTGRES_15;

        Database database() {
            return this == POSTGRES_18 ? Database.postgres18() : Database.postgres15();
        }

        @Override
        public String toString() {
            return this == POSTGRES_18 ? "PostgreSQL 18 (embedded)" : "PostgreSQL 15 (Debian)";
        }
    }

    /** A test PostgreSQL server. */
    record Database(String label, int majorVersion, String jdbcUrl, String username, String password) {

        static Database postgres18() {
            Map<String, String> s = PostgresResource.settings();
            // The embedded server trusts local connections; camel-debezium insists on a password.
            return new Database(Server.POSTGRES_18.toString(), 18, s.get("quarkus.datasource.jdbc.url"),
                    s.get("quarkus.datasource.username"), "unused");
        }

        static Database postgres15() {
            Postgres15.Settings s = Postgres15.shared();
            return new Database(Server.POSTGRES_15.toString(), 15, s.jdbcUrl(), s.username(), s.password());
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, username, password);
        }

        void exec(String... sql) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String q : sql) {
                    s.execute(q);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        /** The control schema, for the offset store. */
        void migrate() {
            Flyway.configure().dataSource(jdbcUrl, username, password).schemas("sync")
                    .locations("classpath:db/migration").load().migrate();
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** One exchange as the route received it. */
    record Event(String identifier, String operation, Object body, Object before, Map<String, Object> source) {
        Struct after() {
            return (Struct) body;
        }

        Struct beforeStruct() {
            return (Struct) before;
        }

        Object column(String name) {
            return after().getWithoutDefault(name);
        }
    }

    private final Database db;
    private final String connector;
    private final String slot;
    private final String publication;
    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final List<Event> events = new ArrayList<>();

    private DebeziumCapture(Database db, String prefix) {
        this.db = db;
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        this.connector = prefix + "-" + suffix;
        this.slot = prefix.replace('-', '_') + "_" + suffix;
        this.publication = slot + "_pub";
    }

    /**
     * Starts streaming {@code table} and returns once the replication slot is read, so every
     * change committed afterwards arrives. {@code customize} adjusts the configuration.
     */
    static DebeziumCapture start(Database db, String prefix, String table,
                                 Consumer<PostgresConnectorEmbeddedDebeziumConfiguration> customize) throws Exception {
        DebeziumCapture capture = new DebeziumCapture(db, prefix);
        try {
            capture.run(table, customize);
        } catch (Exception | AssertionError e) {
            try {
                capture.close();
            } catch (Exception | AssertionError suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return capture;
    }

    private void run(String table, Consumer<PostgresConnectorEmbeddedDebeziumConfiguration> customize) throws Exception {
        db.migrate();
        URI uri = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        PostgresConnectorEmbeddedDebeziumConfiguration c = new PostgresConnectorEmbeddedDebeziumConfiguration();
        c.setDatabaseHostname(uri.getHost());
        c.setDatabasePort(uri.getPort());
        c.setDatabaseDbname(uri.getPath().substring(1));
        c.setDatabaseUser(db.username());
        c.setDatabasePassword(db.password());
        c.setTopicPrefix("sluice-test");
        // Camel's defaults differ from Debezium's: decoderbufs, all_tables, precise
        c.setPluginName("pgoutput");
        c.setSlotName(slot);
        c.setPublicationName(publication);
        c.setPublicationAutocreateMode("filtered");
        c.setTableIncludeList(table);
        c.setSnapshotMode("no_data");
        c.setDecimalHandlingMode("string");
        c.setDatatypePropagateSourceType(DebeziumValues.PROPAGATE_SOURCE_TYPES);
        c.setTimePrecisionMode("adaptive");
        c.setTombstonesOnDelete(false);
        c.setIncludeUnknownDatatypes(false);
        c.setOffsetStorage(PostgresOffsetBackingStore.class.getName());
        c.setOffsetFlushIntervalMs(1_000);
        Map<String, Object> extra = new HashMap<>(c.getAdditionalProperties());
        extra.put(PostgresOffsetBackingStore.URL, db.jdbcUrl());
        extra.put(PostgresOffsetBackingStore.USER, db.username());
        extra.put(PostgresOffsetBackingStore.PASSWORD, db.password());
        extra.put(PostgresOffsetBackingStore.CONNECTOR, connector);
        c.setAdditionalProperties(extra);
        customize.accept(c);

        DebeziumPostgresComponent component = new DebeziumPostgresComponent();
        component.setConfiguration(c);
        camel.addComponent("debezium-postgres", component);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("debezium-postgres:" + connector).routeId("debezium-capture").process(DebeziumCapture.this::record);
            }
        });
        camel.start();
        await("replication slot " + slot + " read by the connector (see the log for an engine failure)")
                .atMost(Duration.ofSeconds(90)).until(this::slotActive);
    }

    private void record(Exchange exchange) {
        Message m = exchange.getMessage();
        @SuppressWarnings("unchecked")
        Map<String, Object> source = m.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class);
        Event event = new Event(m.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class),
                m.getHeader(DebeziumConstants.HEADER_OPERATION, String.class), m.getBody(),
                m.getHeader(DebeziumConstants.HEADER_BEFORE), source);
        synchronized (events) {
            events.add(event);
        }
    }

    /** The exchanges received so far. */
    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The change events (not heartbeats) received so far. */
    List<Event> changes() {
        return events().stream().filter(e -> e.operation() != null).toList();
    }

    private boolean slotActive() throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Override
    public void close() throws Exception {
        camel.stop();
        await("replication slot " + slot + " released").atMost(Duration.ofSeconds(60)).until(() -> !slotActive());
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                ps.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP PUBLICATION IF EXISTS " + publication);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync.debezium_offset WHERE connector = ?")) {
                ps.setString(1, connector);
                ps.execute();
            }
        }
    }
}
