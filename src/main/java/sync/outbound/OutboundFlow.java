package sync.outbound;

import org.apache.camel.Exchange;
import org.apache.kafka.connect.data.Struct;
import org.jboss.logging.Logger;
import sync.change.Change;
import sync.debezium.DebeziumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The PostgreSQL -> Salesforce flow, step by step, for the routes to wire: a captured row change
 * is recognised (mapped table or not, Sluice's own write or not), turned into a canonical change
 * and queued; the writer's tick flushes the queue and writes what is due to Salesforce. Nothing
 * here knows about routes.
 */
public final class OutboundFlow {
    private static final Logger LOG = Logger.getLogger(OutboundFlow.class);
    static final String SOURCE = "CamelDebeziumSourceMetadata";
    static final String OPERATION = "CamelDebeziumOperation";
    static final String BEFORE = "CamelDebeziumBefore";

    private final DataSource dataSource;
    private final Map<String, OutboundMapping> byTable = new LinkedHashMap<>();
    private final OutboundQueue queue;
    private final OutboundWriter writer;
    private final DebeziumSource source;
    private final Pattern ownOrigin;
    private final OutboundMetrics metrics;

    public OutboundFlow(DataSource dataSource, Map<String, OutboundMapping> mappings, OutboundQueue queue,
                        OutboundWriter writer, DebeziumSource source, String originBase, OutboundMetrics metrics) {
        this.dataSource = dataSource;
        mappings.values().forEach(m -> byTable.put(m.mapping().qualifiedTable(), m));
        this.queue = queue;
        this.writer = writer;
        this.source = source;
        this.ownOrigin = Pattern.compile(Pattern.quote(originBase) + "_[0-9]+");
        this.metrics = metrics;
    }

    public DebeziumSource source() {
        return source;
    }

    public OutboundQueue queue() {
        return queue;
    }

    public OutboundWriter writer() {
        return writer;
    }

    /** WAL position of the newest event received (any table), for {@link #caughtUpTo}. */
    private volatile long received = -1;
    /** When the capture last delivered anything (heartbeats included), or when the flow was built. */
    private volatile long lastEventNanos = System.nanoTime();

    /** Whether the event is a row change of a mapped table (not a heartbeat, not another table). */
    public boolean isMapped(Exchange exchange) {
        lastEventNanos = System.nanoTime();
        if (source(exchange).get("lsn") instanceof Number n && n.longValue() > received) {
            received = n.longValue();
        }
        return mappingOf(exchange) != null && exchange.getMessage().getHeader(OPERATION) != null;
    }

    /** Milliseconds since the capture last delivered an event; heartbeats arrive at least every heartbeat interval. */
    public long silentMillis() {
        return (System.nanoTime() - lastEventNanos) / 1_000_000;
    }

    /** Whether every change committed before WAL position {@code lsn} has been received. */
    public boolean caughtUpTo(long lsn) {
        return received > lsn;
    }

    /**
     * Echo suppression, PostgreSQL side, on servers that cannot filter by origin themselves
     * (14, 15): a change committed in a session tagged with one of Sluice's replication origins
     * was written by Sluice (an applied Salesforce change, an Id write-back) and must not go back.
     */
    public boolean notOwnWrite(Exchange exchange) {
        Object origin = source(exchange).get("origin");
        return origin == null || !ownOrigin.matcher(origin.toString()).matches();
    }

    /** Builds the canonical change and queues it; a value that cannot be sent is dead-lettered. */
    public void capture(Exchange exchange) {
        OutboundMapping m = mappingOf(exchange);
        String op = exchange.getMessage().getHeader(OPERATION, String.class);
        Struct after = exchange.getMessage().getBody(Struct.class);
        Struct before = exchange.getMessage().getHeader(BEFORE, Struct.class);
        Map<String, Object> src = source(exchange);
        Change change;
        try {
            change = ChangeCapture.toChange(m, op, before, after, src);
        } catch (ChangeCapture.CaptureException e) {
            deadLetter(m, e, op, after == null ? before : after, src);
            return;
        }
        if (change != null && change.op() == Change.Op.DELETE && m.deletes() == sync.config.SyncConfig.SalesforceDeletePolicy.IGNORE) {
            metrics.ignoredDelete(m.name());
            return; // deletes.in-salesforce: ignore — the record stays in Salesforce
        }
        if (change != null) {
            queue.append(change);
            metrics.captured(m.name());
        }
    }

    /** The writer's tick: queue what was captured, then write what is due. */
    public int tick() {
        queue.flush();
        return writer.drainAll();
    }

    private void deadLetter(OutboundMapping m, ChangeCapture.CaptureException e, String op, Struct row, Map<String, Object> src) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "captured-row");
        payload.put("operation", op);
        payload.put("row", row == null ? null : row.toString());
        payload.put("lsn", src.get("lsn"));
        try (Connection c = dataSource.getConnection()) {
            OutboundDeadLetters.insert(c, m.name(), e.key(), payload, e.getMessage());
        } catch (SQLException ex) {
            throw new OutboundUnavailableException("cannot dead-letter a captured change of mapping '" + m.name() + "': "
                    + ex.getMessage(), ex);
        }
        LOG.warnf("mapping '%s': a captured change was dead-lettered: %s", m.name(), e.getMessage());
    }

    private OutboundMapping mappingOf(Exchange exchange) {
        Map<String, Object> src = source(exchange);
        Object schema = src.get("schema");
        Object table = src.get("table");
        return schema == null || table == null ? null : byTable.get(schema + "." + table);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(Exchange exchange) {
        Object s = exchange.getMessage().getHeader(SOURCE);
        return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
