package sync.debezium;

import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded Debezium PostgreSQL connector Sluice runs: pgoutput over the given slot and
 * publication (managed by Sluice or a DBA, never auto-created by Debezium), no snapshot (the
 * tables' existing rows are not pushed), numerics as exact strings, offsets in
 * {@code sync.debezium_offset} (see {@link PostgresOffsetBackingStore}), heartbeats that write
 * {@code sync.heartbeat} so an idle slot keeps advancing, and on PostgreSQL 16 and later
 * {@code origin=none}: commits made in sessions with a replication origin (Sluice's own writes)
 * are not even decoded.
 *
 * @param name         connector name: the offsets' key and the topic prefix
 * @param jdbcUrl      the database's JDBC URL ({@code jdbc:postgresql://host:port/db?...})
 * @param tables       {@code schema.table} of every table to capture
 * @param serverMajor  PostgreSQL major version (origin filtering in the server from 16)
 */
public record DebeziumSource(String name, String jdbcUrl, String user, String password, String slot, String publication,
                             List<String> tables, long heartbeatMillis, int serverMajor) {

    public static final String HEARTBEAT_TABLE = "sync.heartbeat";

    /** Whether the server filters out changes that carry a replication origin. */
    public boolean serverFiltersOrigins() {
        return serverMajor >= 16;
    }

    public PostgresConnectorEmbeddedDebeziumConfiguration configuration() {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        PostgresConnectorEmbeddedDebeziumConfiguration c = new PostgresConnectorEmbeddedDebeziumConfiguration();
        c.setName(name);
        c.setTopicPrefix(name);
        c.setDatabaseHostname(uri.getHost());
        c.setDatabasePort(uri.getPort() > 0 ? uri.getPort() : 5432);
        String path = uri.getPath();
        c.setDatabaseDbname(path == null || path.length() <= 1 ? "postgres" : path.substring(1));
        if (user != null) {
            c.setDatabaseUser(user);
        }
        if (password != null) {
            c.setDatabasePassword(password);
        }
        c.setPluginName("pgoutput");
        c.setSlotName(slot);
        c.setPublicationName(publication);
        c.setPublicationAutocreateMode("disabled");
        c.setTableIncludeList(String.join(",", tables.stream().map(t -> t.replace(".", "\\.")).toList())
                + "," + HEARTBEAT_TABLE.replace(".", "\\."));
        c.setSnapshotMode("no_data");
        c.setDecimalHandlingMode("string");
        // so a numeric's text is told apart from a text column's (see DebeziumValues)
        c.setDatatypePropagateSourceType(DebeziumValues.PROPAGATE_SOURCE_TYPES);
        c.setTombstonesOnDelete(false);
        c.setIncludeUnknownDatatypes(false);
        c.setSlotDropOnStop(false);
        c.setHeartbeatIntervalMs((int) Math.min(Integer.MAX_VALUE, heartbeatMillis));
        c.setHeartbeatActionQuery("INSERT INTO " + HEARTBEAT_TABLE + " (id, beat_at) VALUES (1, now()) "
                + "ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at");
        if (serverFiltersOrigins()) {
            // PostgreSQL 15's pgoutput rejects the option outright (and Debezium then retries forever)
            c.setSlotStreamParams("origin=none");
        }
        // Debezium hands changes over when max.batch.size (2048) are queued or poll.interval.ms has
        // passed, 500 ms by default: below a few thousand changes/s every change waited for it.
        c.setPollIntervalMs(20);
        // The slot stays active until the previous stream's walsender ends (a restart of the capture,
        // a replaced pod): retry every second rather than every 10 s, for up to 3 minutes, longer
        // than PostgreSQL's default wal_sender_timeout (60 s) takes to drop a vanished client.
        c.setSlotRetryDelayMs(1_000);
        c.setSlotMaxRetries(180);
        c.setOffsetStorage(PostgresOffsetBackingStore.class.getName());
        c.setOffsetFlushIntervalMs(1_000);
        Map<String, Object> extra = new HashMap<>();
        extra.put(PostgresOffsetBackingStore.URL, jdbcUrl);
        if (user != null) {
            extra.put(PostgresOffsetBackingStore.USER, user);
        }
        if (password != null) {
            extra.put(PostgresOffsetBackingStore.PASSWORD, password);
        }
        extra.put(PostgresOffsetBackingStore.CONNECTOR, name);
        c.setAdditionalProperties(extra);
        return c;
    }

    @Override
    public String toString() {
        // never the password
        return "DebeziumSource[" + name + ", slot " + slot + ", publication " + publication + ", " + tables + "]";
    }
}
