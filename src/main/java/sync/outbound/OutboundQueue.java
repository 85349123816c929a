package sync.outbound;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import sync.change.Change;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Captured PostgreSQL changes on their way to {@code sync.outbound_change}. The capture step
 * appends in memory (it runs on Debezium's thread, one change at a time); {@link #flush()} writes
 * the buffer in one statement, and runs before every Debezium offset commit, so an offset is
 * never stored ahead of the changes it covers. A change delivered again after a restart has the
 * same (mapping, lsn) and is not queued twice.
 */
public final class OutboundQueue {
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String INSERT = """
            INSERT INTO sync.outbound_change (mapping, op, pg_key, sfid, fields, commit_at, lsn)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[], ?::timestamptz[], ?::bigint[])
            ON CONFLICT (mapping, lsn) DO NOTHING""";
    /** Flush from the capture thread itself beyond this many buffered changes. */
    private static final int MAX_BUFFER = 2_000;

    private final DataSource dataSource;
    private List<Change> buffer = new ArrayList<>();
    public OutboundQueue(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void append(Change change) {
        boolean full;
        synchronized (this) {
            buffer.add(change);
            full = buffer.size() >= MAX_BUFFER;
        }
        if (full) {
            flush();
        }
    }

    public synchronized int buffered() {
        return buffer.size();
    }

    /** Writes every buffered change; on failure keeps them and throws {@link OutboundUnavailableException}. */
    public synchronized int flush() {
        if (buffer.isEmpty()) {
            return 0;
        }
        List<Change> batch = buffer;
        int n = batch.size();
        String[] mapping = new String[n];
        String[] op = new String[n];
        String[] key = new String[n];
        String[] sfid = new String[n];
        String[] fields = new String[n];
        Timestamp[] commit = new Timestamp[n];
        Long[] lsn = new Long[n];
        for (int i = 0; i < n; i++) {
            Change c = batch.get(i);
            mapping[i] = c.mapping();
            op[i] = c.op().name();
            key[i] = c.pgKey();
            sfid[i] = c.sfid();
            fields[i] = json(c);
            commit[i] = Timestamp.from(c.commitTime());
            lsn[i] = Long.parseLong(c.position());
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setArray(1, c.createArrayOf("text", mapping));
            ps.setArray(2, c.createArrayOf("text", op));
            ps.setArray(3, c.createArrayOf("text", key));
            ps.setArray(4, c.createArrayOf("text", sfid));
            ps.setArray(5, c.createArrayOf("text", fields));
            ps.setArray(6, c.createArrayOf("timestamptz", commit));
            ps.setArray(7, c.createArrayOf("int8", lsn));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new OutboundUnavailableException("cannot queue " + n + " captured change(s) in sync.outbound_change: "
                    + e.getMessage(), e);
        }
        buffer = new ArrayList<>();
        return n;
    }

    private static String json(Change c) {
        try {
            return JSON.writeValueAsString(c.fields());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("fields of change " + c.pgKey() + " are not JSON: " + e.getMessage(), e);
        }
    }
}
