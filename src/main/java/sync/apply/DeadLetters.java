package sync.apply;

import sync.change.Change;
import sync.mapping.ResolvedMapping;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Records that could not be applied ({@code sync.dead_letter}): list the open ones (both
 * directions), retry a {@code to-postgres} one after its cause is fixed, or close one as resolved
 * or ignored. Letters of the other direction are retried by {@code sync.outbound.OutboundDeadLetters}.
 */
public final class DeadLetters {
    static final String DIRECTION = "to-postgres";
    private static final String COLUMNS = "id, mapping, direction, record_id, payload::text, error, attempts, status, created_at, updated_at";
    private static final String INSERT = """
            INSERT INTO sync.dead_letter (mapping, direction, record_id, payload, error, attempts)
            VALUES (?, ?, ?, ?::jsonb, ?, 1) RETURNING id""";

    private final DataSource dataSource;
    private final PostgresApplier applier;

    public DeadLetters(DataSource dataSource, PostgresApplier applier) {
        this.dataSource = dataSource;
        this.applier = applier;
    }

    /** Where a dead letter stands. */
    public enum Status {
        NEW, RETRYING, IGNORED, RESOLVED;

        String sql() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Status of(String sql) {
            return valueOf(sql.toUpperCase(Locale.ROOT));
        }

        /** New and retrying dead letters still need attention. */
        public boolean isOpen() {
            return this == NEW || this == RETRYING;
        }
    }

    /** One dead letter; {@code payload} is the change as JSON ({@link ChangeJson}). */
    public record Entry(long id, String mapping, String direction, String recordId, String payload, String error,
                        int attempts, Status status, Instant createdAt, Instant updatedAt) {

        /** The change this dead letter holds. */
        public Change change() {
            return ChangeJson.fromJson(payload);
        }
    }

    /** Open (new or retrying) dead letters of a mapping, both directions, oldest first. */
    public List<Entry> open(String mapping) {
        return query("SELECT " + COLUMNS + " FROM sync.dead_letter WHERE mapping = ?"
                + " AND status IN ('new', 'retrying') ORDER BY created_at, id", mapping, null);
    }

    public Optional<Entry> find(long id) {
        return query("SELECT " + COLUMNS + " FROM sync.dead_letter WHERE id = ?", null, id).stream().findFirst();
    }

    public boolean markRetrying(long id) {
        return mark(id, Status.RETRYING);
    }

    public boolean markResolved(long id) {
        return mark(id, Status.RESOLVED);
    }

    /** Closes an open dead letter without applying it (the change is discarded); false when none is open. */
    public boolean markIgnored(long id) {
        return update("UPDATE sync.dead_letter SET status = ?, updated_at = now() WHERE id = ? AND status IN ('new', 'retrying')",
                Status.IGNORED.sql(), id);
    }

    /** Counts a failed attempt and keeps its error. */
    public boolean incrementAttempts(long id, String error) {
        return update("UPDATE sync.dead_letter SET attempts = attempts + 1, error = ?, updated_at = now() WHERE id = ?",
                error, id);
    }

    /**
     * Applies a dead letter's change again, through the ordering guard, in one transaction with
     * the dead letter's update: resolved when it applied (or is already covered by a newer
     * change of the record, which is then listed in {@link ApplyResult#missingRecords()} for a
     * re-read, since the newer change may not carry this one's fields); otherwise attempts + 1,
     * the new error, status retrying. No new dead letter is written.
     *
     * @throws IllegalArgumentException when there is no such to-postgres dead letter of {@code m},
     *                                  or its payload is not a change (a raw event that never parsed)
     * @throws IllegalStateException    when it is resolved or ignored already
     * @throws TransientApplyException  when the database failed transiently (nothing changed)
     */
    public ApplyResult retry(ResolvedMapping m, long id) {
        Entry entry = find(id).filter(e -> e.mapping().equals(m.name()) && e.direction().equals(DIRECTION))
                .orElseThrow(() -> new IllegalArgumentException("no to-postgres dead letter " + id + " of mapping '" + m.name() + "'"));
        if (!entry.status().isOpen()) {
            throw new IllegalStateException("dead letter " + id + " is " + entry.status().sql() + ": nothing to retry");
        }
        Change change;
        try {
            change = entry.change();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dead letter " + id + " cannot be retried as a change (" + e.getMessage()
                    + "): re-apply it from the staged changelog, or mark it ignored", e);
        }
        ApplyResult result = applier.apply(m, List.of(change), null,
                (c, mapping, failed, error) -> {
                    failedAttempt(c, id, error);
                    return id;
                },
                (c, r) -> {
                    if (r.deadLettered() == 0) {
                        try (PreparedStatement ps = c.prepareStatement(
                                "UPDATE sync.dead_letter SET status = 'resolved', updated_at = now() WHERE id = ?")) {
                            ps.setLong(1, id);
                            ps.executeUpdate();
                        }
                    }
                });
        if (result.stale() > 0 && change.sfid() != null && !result.missingRecords().contains(change.sfid())) {
            List<String> missing = new ArrayList<>(result.missingRecords());
            missing.add(change.sfid());
            return new ApplyResult(result.applied(), result.stale(), result.duplicates(), result.deadLetters(),
                    result.resyncs(), missing);
        }
        return result;
    }

    /** Writes a new dead letter on the caller's connection, inside its transaction. */
    static long insert(Connection c, ResolvedMapping m, Change change, String error) throws SQLException {
        return insert(c, m.name(), DIRECTION, change.sfid() != null ? change.sfid() : change.pgKey(),
                ChangeJson.toJson(change), error);
    }

    /**
     * Writes a new dead letter of either direction ({@code to-postgres}, {@code to-salesforce})
     * on the caller's connection: the one place rows of {@code sync.dead_letter} are created.
     */
    public static long insert(Connection c, String mapping, String direction, String recordId, String payloadJson,
                              String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, mapping);
            ps.setString(2, direction);
            ps.setString(3, recordId);
            ps.setString(4, payloadJson);
            ps.setString(5, error);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private boolean mark(long id, Status status) {
        return update("UPDATE sync.dead_letter SET status = ?, updated_at = now() WHERE id = ?", status.sql(), id);
    }

    private boolean update(String sql, String text, long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, text);
            ps.setLong(2, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("update dead letter " + id, e);
        }
    }

    private List<Entry> query(String sql, String mapping, Long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (mapping != null) {
                ps.setString(1, mapping);
            } else {
                ps.setLong(1, id);
            }
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getInt(7), Status.of(rs.getString(8)),
                            rs.getObject(9, OffsetDateTime.class).toInstant(), rs.getObject(10, OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read dead letters", e);
        }
    }

    private static ApplyException failure(String what, SQLException e) {
        String message = "cannot " + what + ": " + SqlErrors.describe(e);
        return SqlErrors.isTransient(e) ? new TransientApplyException(message, e) : new ApplyException(message, e);
    }

    /** A retry of letter {@code id} failed again: one more attempt, the new error, still open (retrying). */
    public static void failedAttempt(Connection c, long id, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync.dead_letter SET attempts = attempts + 1, error = ?, status = 'retrying', updated_at = now()
                WHERE id = ?""")) {
            ps.setString(1, error);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }
}
