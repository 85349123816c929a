package sync.debezium;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * Kafka Connect offset store for Debezium's embedded engine that keeps one connector's offsets
 * in {@code sync.debezium_offset}, so a new pod resumes where the last one stopped without a
 * volume.
 *
 * <p>Engine properties:
 * <ul>
 *   <li>{@value #URL} — JDBC URL of the database holding schema {@code sync} (required)</li>
 *   <li>{@value #USER}, {@value #PASSWORD} — credentials (optional; the password is never logged)</li>
 *   <li>{@value #CONNECTOR} — the row key in {@code sync.debezium_offset}; defaults to the engine's
 *       {@code name}</li>
 * </ul>
 *
 * <p>Offsets are loaded into memory on {@link #start()}; {@link #get} is served from memory and
 * {@link #set} writes the flushed entries to PostgreSQL in one transaction (upsert; a null value
 * deletes the key) before making them visible in memory and completing the callback. A failed
 * write fails the returned future and the callback, so the engine does not consider the offsets
 * committed. Before writing, it runs the connector's {@link OffsetCommitBarrier}, so changes the
 * engine has handed out are durably queued before the offsets that cover them.
 */
public class PostgresOffsetBackingStore extends MemoryOffsetBackingStore {

    public static final String URL = "offset.storage.postgres.url";
    public static final String USER = "offset.storage.postgres.user";
    public static final String PASSWORD = "offset.storage.postgres.password";
    public static final String CONNECTOR = "offset.storage.postgres.connector";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresOffsetBackingStore.class);

    private static final String SELECT =
            "SELECT offset_key, offset_value FROM sync.debezium_offset WHERE connector = ?";
    private static final String UPSERT =
            "INSERT INTO sync.debezium_offset (connector, offset_key, offset_value, updated_at) "
                    + "VALUES (?, ?, ?, now()) ON CONFLICT (connector, offset_key) "
                    + "DO UPDATE SET offset_value = EXCLUDED.offset_value, updated_at = now()";
    private static final String DELETE =
            "DELETE FROM sync.debezium_offset WHERE connector = ? AND offset_key = ?";

    private String url;
    private String user;
    private String password;
    private String connector;
    private final JsonConverter keyConverter = new JsonConverter();

    public PostgresOffsetBackingStore() {
        keyConverter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), true);
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> props = config.originalsStrings();
        url = props.get(URL);
        if (url == null || url.isBlank()) {
            throw new ConnectException("Missing engine property " + URL);
        }
        user = props.get(USER);
        password = props.get(PASSWORD);
        connector = props.get(CONNECTOR);
        if (connector == null || connector.isBlank()) {
            connector = props.get("name");
        }
        if (connector == null || connector.isBlank()) {
            throw new ConnectException("Missing engine property " + CONNECTOR + " (or name)");
        }
    }

    @Override
    public synchronized void start() {
        super.start();
        Map<ByteBuffer, ByteBuffer> loaded = new HashMap<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] value = rs.getBytes(2);
                    loaded.put(ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
                }
            }
        } catch (SQLException e) {
            throw new ConnectException("Cannot load Debezium offsets of connector '" + connector
                    + "' from sync.debezium_offset: " + e.getMessage(), e);
        }
        data.putAll(loaded);
        LOG.info("Loaded {} Debezium offset(s) of connector '{}' from sync.debezium_offset",
                loaded.size(), connector);
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        Map<ByteBuffer, ByteBuffer> copy = new HashMap<>(values);
        return executor.submit(() -> {
            try {
                // Whatever the engine handed out before these offsets must be durable first.
                OffsetCommitBarrier.beforeCommit(connector);
                persist(copy);
            } catch (RuntimeException e) {
                if (callback != null) {
                    callback.onCompletion(e, null);
                }
                throw e;
            }
            for (Map.Entry<ByteBuffer, ByteBuffer> e : copy.entrySet()) {
                if (e.getKey() == null) {
                    continue;
                }
                if (e.getValue() == null) {
                    data.remove(e.getKey());
                } else {
                    data.put(e.getKey(), e.getValue());
                }
            }
            if (callback != null) {
                callback.onCompletion(null, null);
            }
            return null;
        });
    }

    /** Every write goes through {@link #set}, which persists before updating memory. */
    @Override
    protected void save() {
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        Set<Map<String, Object>> partitions = new HashSet<>();
        for (ByteBuffer key : new ArrayList<>(data.keySet())) {
            try {
                Object parsed = keyConverter.toConnectData("", bytes(key)).value();
                if (parsed instanceof List<?> list && list.size() == 2
                        && connectorName.equals(list.get(0)) && list.get(1) instanceof Map<?, ?> p) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> partition = (Map<String, Object>) p;
                    partitions.add(partition);
                }
            } catch (RuntimeException e) {
                LOG.debug("Skipping an offset key that is not a connector partition", e);
            }
        }
        return partitions;
    }

    private void persist(Map<ByteBuffer, ByteBuffer> values) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement upsert = c.prepareStatement(UPSERT);
                 PreparedStatement delete = c.prepareStatement(DELETE)) {
                boolean upserts = false;
                boolean deletes = false;
                for (Map.Entry<ByteBuffer, ByteBuffer> e : values.entrySet()) {
                    if (e.getKey() == null) {
                        continue;
                    }
                    if (e.getValue() == null) {
                        delete.setString(1, connector);
                        delete.setBytes(2, bytes(e.getKey()));
                        delete.addBatch();
                        deletes = true;
                    } else {
                        upsert.setString(1, connector);
                        upsert.setBytes(2, bytes(e.getKey()));
                        upsert.setBytes(3, bytes(e.getValue()));
                        upsert.addBatch();
                        upserts = true;
                    }
                }
                if (upserts) {
                    upsert.executeBatch();
                }
                if (deletes) {
                    delete.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new ConnectException("Cannot store Debezium offsets of connector '" + connector
                    + "' in sync.debezium_offset: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "sluice-debezium-offsets");
        return DriverManager.getConnection(url, props);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
