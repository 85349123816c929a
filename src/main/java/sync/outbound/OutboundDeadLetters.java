package sync.outbound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import sync.mapping.ValueConverter;
import sync.sql.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Dead letters of the PostgreSQL -> Salesforce direction ({@code sync.dead_letter}, direction
 * {@code to-salesforce}): the record as it was to be sent and Salesforce's error, or a captured
 * row that could not be converted. The changes a letter covers stay in {@code sync.outbound_change}
 * with status {@code failed} and {@code dead_letter} naming it.
 *
 * <p><b>Retry sends the row as it is now</b>, never the stored payload: the row may have changed
 * since (later changes of the record went on to Salesforce meanwhile, and an old payload would
 * overwrite them) or been deleted. A retry reads the row and queues one change at the end of the
 * queue, behind everything already captured for the record, so its order is kept:
 * <ul>
 *   <li>the row exists and its record was to be created (or the letter holds a captured row, or
 *   Salesforce's Id is unknown): every mapped column (those that are NULL only when the row has
 *   a Salesforce Id by now);</li>
 *   <li>the row exists and its record was to be updated: the fields of the failed update, with
 *   the row's current values (NULLs included);</li>
 *   <li>the row is gone and the failed change was a delete: the delete again (refused when the
 *   record's Salesforce Id is unknown: nothing could ever delete it);</li>
 *   <li>the row is gone otherwise: nothing to send (its delete was captured on its own), the
 *   letter is resolved at once.</li>
 * </ul>
 * The letter is then {@code retrying}; the writer resolves it when the change is written, or
 * counts the attempt and keeps Salesforce's new error on the same letter when it fails again.
 * Ignore closes a letter and withdraws a retry still waiting in the queue.
 */
public final class OutboundDeadLetters {
    static final String DIRECTION = "to-salesforce";

    private final DataSource dataSource;
    private final Map<String, OutboundMapping> mappings;

    /** @param mappings the mappings written to Salesforce, by name */
    public OutboundDeadLetters(DataSource dataSource, Map<String, OutboundMapping> mappings) {
        this.dataSource = dataSource;
        this.mappings = Map.copyOf(mappings);
    }

    /**
     * What a retry did.
     *
     * @param status the letter's status afterwards: {@code retrying} (a change is queued, or the
     *               row could not be read as a change: {@code error} says why) or {@code resolved}
     *               (nothing left to send)
     * @param queued the operation queued ({@code UPSERT}, {@code DELETE}), empty when none
     * @param note   why nothing needed to be queued
     * @param error  why this attempt failed before anything was queued (a value that does not convert)
     */
    public record Retry(long id, String status, Optional<String> queued, Optional<String> note, Optional<String> error) {
    }

    /**
     * Queues the current state of a dead letter's row (see the class comment) and marks the
     * letter {@code retrying}, in one transaction.
     *
     * @throws java.util.NoSuchElementException when there is no such to-salesforce dead letter
     * @throws IllegalStateException            when it is resolved or ignored already, a retry of it
     *                                          is still queued, or its mapping no longer writes to Salesforce
     * @throws IllegalArgumentException         when it names no row (a captured change without a key), or
     *                                          repeats a delete whose Salesforce Id is unknown
     * @throws OutboundUnavailableException     when the database failed (nothing changed)
     */
    public Retry retry(long id) {
        try (Connection c = dataSource.getConnection()) {
            return Transactions.call(c, conn -> retry(conn, id));
        } catch (SQLException e) {
            throw new OutboundUnavailableException("cannot retry dead letter " + id + ": " + e.getMessage(), e);
        }
    }

    private Retry retry(Connection c, long id) throws SQLException {
        Letter letter = lock(c, id);
        OutboundMapping m = mappings.get(letter.mapping());
        if (m == null) {
            throw new IllegalStateException("dead letter " + id + " belongs to mapping '" + letter.mapping()
                    + "', which does not write to Salesforce (mappings that do: " + mappings.keySet() + "); mark it ignored");
        }
        if (queuedRetry(c, id)) {
            throw new IllegalStateException("dead letter " + id + " is being retried already: its change is still queued");
        }
        JsonNode payload = read(letter);
        String kind = payload.path("kind").asText();
        String key = kind.equals("outbound") ? text(payload, "pgKey") : letter.recordId();
        if (key == null) {
            throw new IllegalArgumentException("dead letter " + id + " names no row of " + m.mapping().qualifiedTable()
                    + " (the captured change had no " + m.keyColumn() + "): nothing to retry; fix the row and mark the"
                    + " letter ignored");
        }
        String operation = payload.path("operation").asText();
        boolean delete = operation.equals("DELETE") || operation.equals("d");
        Set<String> failedFields = new LinkedHashSet<>();
        payload.path("fields").fieldNames().forEachRemaining(failedFields::add);
        boolean update = operation.equals("UPDATE");

        Optional<CurrentRows.Row> row = CurrentRows.read(c, m, key);
        String op;
        String sfid;
        Map<String, Object> fields;
        if (row.isPresent()) {
            sfid = row.get().sfid();
            try {
                // A record Salesforce has gets NULLs too (they clear fields); a new one needs none.
                fields = update && sfid != null ? row.get().values(m, failedFields, true)
                        : row.get().values(m, null, sfid != null);
            } catch (ValueConverter.ConversionException | ArithmeticException | IllegalArgumentException e) {
                String error = "mapping '" + m.name() + "', row " + m.keyColumn() + "=" + key + ": " + e.getMessage();
                sync.apply.DeadLetters.failedAttempt(c, id, error);
                return new Retry(id, "retrying", Optional.empty(), Optional.empty(), Optional.of(error));
            }
            if (fields.isEmpty() && sfid != null) {
                close(c, id, "resolved");
                return new Retry(id, "resolved", Optional.empty(), Optional.of("none of the failed fields is mapped any more:"
                        + " nothing to send"), Optional.empty());
            }
            op = "UPSERT";
        } else if (delete) {
            op = "DELETE";
            sfid = text(payload, "sfid") != null ? text(payload, "sfid") : lastKnownId(c, m, key);
            if (sfid == null) {
                throw new IllegalArgumentException("dead letter " + id + ": row " + m.keyColumn() + "=" + key + " of "
                        + m.mapping().qualifiedTable() + " was deleted and its Salesforce Id is unknown (the delete logged"
                        + " none and Sluice never wrote the record): there is nothing Sluice can delete; delete the record"
                        + " in Salesforce if it exists, then mark the letter ignored");
            }
            fields = Map.of();
        } else {
            close(c, id, "resolved");
            return new Retry(id, "resolved", Optional.empty(), Optional.of("row " + m.keyColumn() + "=" + key + " of "
                    + m.mapping().qualifiedTable() + " no longer exists (its delete was queued when it happened): nothing"
                    + " to send"), Optional.empty());
        }
        enqueue(c, m, letter, op, key, sfid, fields);
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE sync.dead_letter SET status = 'retrying', updated_at = now() WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        return new Retry(id, "retrying", Optional.of(op), Optional.empty(), Optional.empty());
    }

    /**
     * Closes a dead letter without sending anything; a retry of it still waiting in the queue is
     * withdrawn (one already on its way to Salesforce completes).
     *
     * @throws java.util.NoSuchElementException when there is no such to-salesforce dead letter
     * @throws IllegalStateException            when it is resolved or ignored already
     */
    public void ignore(long id) {
        try (Connection c = dataSource.getConnection()) {
            Transactions.run(c, conn -> {
                lock(conn, id);
                try (PreparedStatement ps = conn.prepareStatement(
                        "DELETE FROM sync.outbound_change WHERE dead_letter = ? AND status = 'pending'")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                close(conn, id, "ignored");
            });
        } catch (SQLException e) {
            throw new OutboundUnavailableException("cannot ignore dead letter " + id + ": " + e.getMessage(), e);
        }
    }

    // --- recording outcomes (called by the writer, inside its transaction)

    /**
     * Dead-letters a record Salesforce refused. When the refused change is the retry of an open
     * letter, that letter counts the attempt and keeps the new error and payload instead: no
     * second letter for one record's one problem.
     */
    static long insert(Connection c, OutboundMapping m, OutboundPlan.Item item, String error) throws SQLException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "outbound");
        payload.put("object", m.object());
        payload.put("operation", item.kind().name());
        payload.put("pgKey", item.pgKey());
        payload.put("sfid", item.sfid());
        payload.put("fields", item.fields());
        payload.put("queued", item.rows());
        Optional<Long> retried = retriedAgain(c, item.rows(), json(payload), error);
        if (retried.isPresent()) {
            return retried.get();
        }
        return insert(c, m.name(), item.sfid() != null ? item.sfid() : item.pgKey(), payload, error);
    }

    static long insert(Connection c, String mapping, String recordId, Map<String, Object> payload, String error)
            throws SQLException {
        return sync.apply.DeadLetters.insert(c, mapping, DIRECTION, recordId, json(payload), error);
    }

    /** The letters whose retries were just written (rows marked sent) are resolved. */
    static void resolveSent(Connection c, Object[] sentRows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync.dead_letter d SET status = 'resolved', updated_at = now()
                FROM sync.outbound_change o
                WHERE o.id = ANY(?) AND o.dead_letter = d.id AND d.status = 'retrying'""")) {
            ps.setArray(1, c.createArrayOf("int8", sentRows));
            ps.executeUpdate();
        }
    }

    private static Optional<Long> retriedAgain(Connection c, List<Long> rows, String payload, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync.dead_letter d SET attempts = attempts + 1, error = ?, payload = ?::jsonb, updated_at = now()
                WHERE d.status = 'retrying'
                  AND d.id IN (SELECT o.dead_letter FROM sync.outbound_change o WHERE o.id = ANY(?))
                RETURNING d.id""")) {
            ps.setString(1, error);
            ps.setString(2, payload);
            ps.setArray(3, c.createArrayOf("int8", rows.toArray()));
            Optional<Long> first = Optional.empty();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    first = first.isEmpty() || id < first.get() ? Optional.of(id) : first;
                }
            }
            return first;
        }
    }

    // --- steps of a retry

    private record Letter(long id, String mapping, String recordId, String payload, Timestamp createdAt) {
    }

    /** Locks an open to-salesforce letter for this transaction. */
    private static Letter lock(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT mapping, direction, record_id, payload::text, status, created_at FROM sync.dead_letter
                WHERE id = ? FOR UPDATE""")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !DIRECTION.equals(rs.getString(2))) {
                    throw new java.util.NoSuchElementException("no to-salesforce dead letter " + id);
                }
                String status = rs.getString(5);
                if (!status.equals("new") && !status.equals("retrying")) {
                    throw new IllegalStateException("dead letter " + id + " is " + status + " already");
                }
                return new Letter(id, rs.getString(1), rs.getString(3), rs.getString(4), rs.getTimestamp(6));
            }
        }
    }

    private static boolean queuedRetry(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM sync.outbound_change WHERE dead_letter = ? AND status IN ('pending', 'sending')")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static JsonNode read(Letter letter) {
        try {
            return OutboundQueue.JSON.readTree(letter.payload());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("dead letter " + letter.id() + " holds no JSON payload: " + e.getMessage(), e);
        }
    }

    /**
     * Queues the change behind everything queued for the record. Its commit time is the record's
     * newest known PostgreSQL commit (conflicts with Salesforce edits resolve as for the changes
     * it repeats); its lsn is minus its id: no WAL position, and never one Debezium delivers.
     */
    private static void enqueue(Connection c, OutboundMapping m, Letter letter, String op, String key, String sfid,
                                Map<String, Object> fields) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                WITH n AS (SELECT nextval(pg_get_serial_sequence('sync.outbound_change', 'id')) AS id)
                INSERT INTO sync.outbound_change (id, mapping, op, pg_key, sfid, fields, commit_at, lsn, dead_letter)
                SELECT n.id, ?, ?, ?, ?, ?::jsonb,
                       coalesce((SELECT max(commit_at) FROM sync.outbound_change WHERE mapping = ? AND pg_key = ?), ?),
                       -n.id, ?
                FROM n""")) {
            ps.setString(1, m.name());
            ps.setString(2, op);
            ps.setString(3, key);
            ps.setString(4, sfid);
            ps.setString(5, json(fields));
            ps.setString(6, m.name());
            ps.setString(7, key);
            ps.setTimestamp(8, letter.createdAt());
            ps.setLong(9, letter.id());
            ps.executeUpdate();
        }
    }

    /** The newest Salesforce Id the queue's history knows for the key, as the writer would find it. */
    private static String lastKnownId(Connection c, OutboundMapping m, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT coalesce(sfid, result_id) FROM sync.outbound_change
                WHERE mapping = ? AND pg_key = ? AND coalesce(sfid, result_id) IS NOT NULL ORDER BY id DESC LIMIT 1""")) {
            ps.setString(1, m.name());
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void close(Connection c, long id, String status) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sync.dead_letter SET status = ?, updated_at = now() WHERE id = ?")) {
            ps.setString(1, status);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    private static String text(JsonNode payload, String field) {
        JsonNode v = payload.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String json(Object value) {
        try {
            return OutboundQueue.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
