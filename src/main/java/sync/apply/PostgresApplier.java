package sync.apply;

import sync.change.Change;
import sync.change.ChangeMerger;
import sync.config.PostgresDeletePolicy;
import sync.config.SyncConfig;
import sync.mapping.FieldColumn;
import sync.mapping.ResolvedMapping;
import sync.mapping.ValueConverter;
import sync.sql.BatchUpsert;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Applies a batch of Salesforce changes to one mapped table in one transaction, in a session
 * tagged with a replication origin: the ordering guard drops stale and redelivered changes, the
 * rest are merged per record and written with one statement per set of changed columns (many
 * rows per round trip); deletes follow the mapping's policy; the per-record state and the
 * stream position commit with the rows. A record that cannot be written is dead-lettered and the
 * others commit; a transient failure rolls everything back and throws
 * {@link TransientApplyException}.
 *
 * <p>Applies of one mapping through one instance are serialized (the ordering guard reads the
 * per-record state before writing); one process runs one instance per database, as
 * {@code sync.flow.SyncEngine} does.
 */
public final class PostgresApplier {

    /**
     * Salesforce puts CreatedDate in create (and undelete) events and full reads, never in
     * update events: a change carrying it describes the whole record.
     */
    static final String FULL_RECORD_MARKER = "CreatedDate";
    private static final Pattern SALESFORCE_ID = Pattern.compile("[A-Za-z0-9]{18}");

    private final DataSource dataSource;
    private final ReplicationOrigins origins;
    private final Duration lockTimeout;

    /**
     * @param dataSource the database of the mapped tables and the {@code sync} schema
     * @param originBase replication origins are named {@code <originBase>_<n>}, e.g. sluice_1
     */
    public PostgresApplier(DataSource dataSource, String originBase) {
        this(dataSource, originBase, null);
    }

    /**
     * @param lockTimeout how long a statement waits for a row lock held by another session
     *                    before the batch fails as transient (and is retried); null: the
     *                    server's setting
     */
    private final java.util.Map<String, java.util.concurrent.locks.ReentrantLock> mappingLocks =
            new java.util.concurrent.ConcurrentHashMap<>();

    public PostgresApplier(DataSource dataSource, String originBase, Duration lockTimeout) {
        this.dataSource = dataSource;
        this.origins = new ReplicationOrigins(originBase);
        this.lockTimeout = lockTimeout;
    }

    /**
     * Applies {@code changes} (Salesforce changes of mapping {@code m}) and stores
     * {@code position} (if not null) in the same transaction.
     *
     * @throws TransientApplyException when the batch should be retried as a whole
     * @throws ApplyException          when it cannot be applied at all (rolled back)
     */
    public ApplyResult apply(ResolvedMapping m, List<Change> changes, PositionUpdate position) {
        return apply(m, changes, position, DeadLetters::insert, (c, r) -> {
        });
    }

    /** Where a record that cannot be applied goes; returns the dead letter's id. */
    interface FailureSink {
        long record(Connection c, ResolvedMapping m, Change change, String error) throws SQLException;
    }

    /** Runs last in the apply transaction, with its result. */
    interface Completion {
        void complete(Connection c, ApplyResult result) throws SQLException;
    }

    ApplyResult apply(ResolvedMapping m, List<Change> changes, PositionUpdate position, FailureSink failures,
                      Completion completion) {
        if (m.direction() == SyncConfig.Direction.TO_SALESFORCE) {
            throw new IllegalArgumentException("mapping '" + m.name() + "' syncs to Salesforce only");
        }
        // The ordering guard reads, then writes, each record's state: the stream, resync jobs,
        // inbound files and dead-letter retries of one mapping must not interleave here.
        java.util.concurrent.locks.ReentrantLock lock = mappingLocks.computeIfAbsent(m.name(),
                k -> new java.util.concurrent.locks.ReentrantLock());
        lock.lock();
        try {
            return applyLocked(m, changes, position, failures, completion);
        } finally {
            lock.unlock();
        }
    }

    private ApplyResult applyLocked(ResolvedMapping m, List<Change> changes, PositionUpdate position, FailureSink failures,
                                    Completion completion) {
        try (Connection c = dataSource.getConnection()) {
            tag(c);
            c.setAutoCommit(false);
            try {
                if (lockTimeout != null) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, true)")) {
                        ps.setString(1, lockTimeout.toMillis() + "ms");
                        ps.execute();
                    }
                }
                ApplyResult result = new Batch(c, m, failures).run(changes);
                if (position != null) {
                    ReplayPositions.store(c, position);
                }
                completion.complete(c, result);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        } catch (SQLException e) {
            String message = "mapping '" + m.name() + "': batch of " + changes.size() + " changes rolled back: "
                    + SqlErrors.describe(e);
            throw SqlErrors.isTransient(e) ? new TransientApplyException(message, e) : new ApplyException(message, e);
        }
    }

    /**
     * Tags the session with a replication origin, so what it commits is never captured back
     * (also used by the PostgreSQL -> Salesforce writer for its Id write-backs); returns its name.
     */
    public String tag(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        try {
            return origins.ensure(c);
        } catch (SQLException e) {
            String fix = switch (String.valueOf(e.getSQLState())) {
                case "42501" -> "grant the role EXECUTE on pg_replication_origin_create(text) and"
                        + " pg_replication_origin_session_setup(text), or use a superuser";
                case "53400" -> "raise max_active_replication_origins (PostgreSQL 18; max_replication_slots before)"
                        + " to at least the connection pool's size";
                default -> null;
            };
            if (fix == null) {
                throw e;
            }
            throw new SQLException("cannot tag the session with a replication origin (" + e.getMessage() + "): " + fix,
                    e.getSQLState(), e);
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // a broken connection: the pool discards it
        }
    }

    /** One batch in one transaction. */
    private static final class Batch {
        private final Connection c;
        private final ResolvedMapping m;
        private final FailureSink failures;
        private final Map<String, Integer> fieldIndex = new HashMap<>();
        private final int flagIndex;

        private int stale;
        private int duplicates;
        private final List<Change> resyncs = new ArrayList<>();
        private final List<Change> applied = new ArrayList<>();
        private final Set<String> missing = new LinkedHashSet<>();
        private final List<Failure> failed = new ArrayList<>();

        Batch(Connection c, ResolvedMapping m, FailureSink failures) {
            this.c = c;
            this.m = m;
            this.failures = failures;
            for (int i = 0; i < m.fields().size(); i++) {
                fieldIndex.put(m.fields().get(i).field(), i);
            }
            this.flagIndex = m.fields().size();
        }

        ApplyResult run(List<Change> changes) throws SQLException {
            List<Change> candidates = new ArrayList<>(changes.size());
            Set<String> ids = new HashSet<>();
            for (Change ch : changes) {
                if (ch.mapping() != null && !ch.mapping().equals(m.name())) {
                    throw new IllegalArgumentException("change of mapping '" + ch.mapping() + "' given to mapping '" + m.name() + "'");
                }
                if (ch.origin() != Change.Origin.SALESFORCE) {
                    throw new IllegalArgumentException("a change made in PostgreSQL (key " + ch.pgKey() + ") is not applied to PostgreSQL");
                }
                if (ch.op() == Change.Op.RESYNC) {
                    resyncs.add(ch);
                } else if (ch.sfid() == null || !SALESFORCE_ID.matcher(ch.sfid()).matches()) {
                    failed.add(new Failure(ch, "'" + ch.sfid() + "' is not an 18-character Salesforce Id"));
                } else {
                    candidates.add(ch);
                    ids.add(ch.sfid());
                }
            }
            Map<String, OrderingGuard.Seen> seen = OrderingGuard.load(c, m.name(), ids);
            List<Change> fresh = new ArrayList<>(candidates.size());
            for (Change ch : candidates) {
                switch (OrderingGuard.check(ch, seen.get(ch.sfid()))) {
                    case APPLY -> fresh.add(ch);
                    case STALE -> stale++;
                    case DUPLICATE -> duplicates++;
                }
            }
            write(ChangeMerger.merge(fresh));
            OrderingGuard.store(c, m.name(), applied);
            List<ApplyResult.DeadLetter> deadLetters = new ArrayList<>(failed.size());
            for (Failure f : failed) {
                long id = failures.record(c, m, f.change(), f.error());
                deadLetters.add(new ApplyResult.DeadLetter(id, f.change().sfid(), f.error()));
            }
            return new ApplyResult(applied.size(), stale, duplicates, deadLetters, resyncs, List.copyOf(missing));
        }

        private void write(List<Change> merged) throws SQLException {
            Map<BitSet, List<Row>> upserts = new LinkedHashMap<>();
            List<Row> deletes = new ArrayList<>();
            List<Row> softDeletes = new ArrayList<>();
            PostgresDeletePolicy.Kind policy = m.deletes().kind();
            for (Change ch : merged) {
                if (ch.op() == Change.Op.DELETE) {
                    switch (policy) {
                        case HARD -> deletes.add(new Row(ch, null, null));
                        case SOFT -> softDeletes.add(new Row(ch, null, null));
                        case IGNORE -> applied.add(ch);
                    }
                } else {
                    Row row = convert(ch);
                    if (row != null) {
                        upserts.computeIfAbsent(row.present(), k -> new ArrayList<>()).add(row);
                    }
                }
            }
            for (Map.Entry<BitSet, List<Row>> group : upserts.entrySet()) {
                execute(upsert(group.getKey()), group.getValue());
            }
            if (!deletes.isEmpty()) {
                execute(keyStatement(BatchUpsert.deleteByKeys(m.qualifiedTable(), m.idColumn()), false), deletes);
            }
            if (!softDeletes.isEmpty()) {
                String flag = m.deletes().column().orElseThrow();
                execute(keyStatement(BatchUpsert.setFlagByKeys(m.qualifiedTable(), m.idColumn(), flag), true), softDeletes);
            }
        }

        /** The row's column values as SQL text, or null (and the change failed) if a value does not convert. */
        private Row convert(Change ch) {
            String[] values = new String[flagIndex + 1];
            BitSet present = new BitSet(flagIndex + 1);
            for (Map.Entry<String, Object> f : ch.fields().entrySet()) {
                Integer i = fieldIndex.get(f.getKey());
                if (i == null) {
                    continue; // not mapped
                }
                FieldColumn fc = m.fields().get(i);
                try {
                    values[i] = sqlText(ValueConverter.toPostgres(fc.sfType(), fc.pgType(), f.getValue()));
                    present.set(i);
                } catch (ValueConverter.ConversionException e) {
                    failed.add(new Failure(ch, "field " + fc.field() + " -> column " + fc.column() + ": " + e.getMessage()));
                    return null;
                }
            }
            if (ch.op() == Change.Op.UNDELETE && m.deletes().kind() == PostgresDeletePolicy.Kind.SOFT) {
                values[flagIndex] = "false";
                present.set(flagIndex);
            }
            return new Row(ch, present, values);
        }

        private Statement upsert(BitSet present) {
            Map<String, String> columns = new LinkedHashMap<>();
            List<String> parameterTypes = new ArrayList<>();
            columns.put(m.idColumn(), "text");
            parameterTypes.add("text");
            for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
                if (i == flagIndex) {
                    columns.put(m.deletes().column().orElseThrow(), "bool");
                    parameterTypes.add("bool");
                } else {
                    FieldColumn fc = m.fields().get(i);
                    columns.put(fc.column(), fc.sqlType());
                    parameterTypes.add(fc.isArray() ? "text" : fc.sqlType());
                }
            }
            String sql = BatchUpsert.upsertReturningInserted(m.qualifiedTable(), m.idColumn(), columns);
            return (rows, inserted) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    String[] ids = new String[rows.size()];
                    for (int r = 0; r < ids.length; r++) {
                        ids[r] = rows.get(r).change().sfid();
                    }
                    ps.setArray(1, c.createArrayOf("text", ids));
                    int p = 2;
                    for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
                        String[] column = new String[rows.size()];
                        for (int r = 0; r < column.length; r++) {
                            column[r] = rows.get(r).values()[i];
                        }
                        ps.setArray(p, c.createArrayOf(parameterTypes.get(p - 1), column));
                        p++;
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getBoolean(2)) {
                                inserted.add(rs.getString(1));
                            }
                        }
                    }
                }
            };
        }

        private Statement keyStatement(String sql, boolean flag) {
            return (rows, inserted) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    String[] ids = rows.stream().map(r -> r.change().sfid()).toArray(String[]::new);
                    int p = 1;
                    if (flag) {
                        ps.setBoolean(p++, true);
                    }
                    ps.setArray(p, c.createArrayOf("text", ids));
                    ps.executeUpdate();
                }
            };
        }

        /**
         * Runs a statement for all rows under a savepoint. If it fails permanently, runs it row
         * by row, each under its own savepoint, so only the rows that fail are dead-lettered.
         * A transient failure propagates: the whole batch is retried.
         */
        private void execute(Statement statement, List<Row> rows) throws SQLException {
            Savepoint all = c.setSavepoint();
            try {
                Set<String> inserted = new HashSet<>();
                statement.run(rows, inserted);
                c.releaseSavepoint(all);
                succeeded(rows, inserted);
                return;
            } catch (SQLException e) {
                if (SqlErrors.isTransient(e)) {
                    throw e;
                }
                c.rollback(all);
                c.releaseSavepoint(all);
                if (rows.size() == 1) {
                    failed.add(new Failure(rows.get(0).change(), SqlErrors.describe(e)));
                    return;
                }
            }
            for (Row row : rows) {
                Savepoint one = c.setSavepoint();
                try {
                    Set<String> inserted = new HashSet<>();
                    statement.run(List.of(row), inserted);
                    c.releaseSavepoint(one);
                    succeeded(List.of(row), inserted);
                } catch (SQLException e) {
                    if (SqlErrors.isTransient(e)) {
                        throw e;
                    }
                    c.rollback(one);
                    c.releaseSavepoint(one);
                    failed.add(new Failure(row.change(), SqlErrors.describe(e)));
                }
            }
        }

        private void succeeded(Collection<Row> rows, Set<String> inserted) {
            for (Row row : rows) {
                Change ch = row.change();
                applied.add(ch);
                if (inserted.contains(ch.sfid()) && !ch.fields().containsKey(FULL_RECORD_MARKER)) {
                    missing.add(ch.sfid());
                }
            }
        }
    }

    /** A statement over some rows; adds the keys it inserted (rather than updated) to {@code inserted}. */
    @FunctionalInterface
    private interface Statement {
        void run(List<Row> rows, Set<String> inserted) throws SQLException;
    }

    /** A record that cannot be applied, and why. */
    private record Failure(Change change, String error) {
    }

    /** One record to write: its change, which columns it sets, their values as SQL text. */
    private record Row(Change change, BitSet present, String[] values) {
    }

    /**
     * A converted value as the text PostgreSQL parses for its column type; array values as
     * array literals. PostgreSQL text cannot hold the NUL character, so such a value is refused
     * here, naming it, instead of failing the statement.
     */
    static String sqlText(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            if (s.indexOf('\0') >= 0) {
                throw new ValueConverter.ConversionException("text contains a NUL character, which PostgreSQL cannot store");
            }
            return s;
        }
        if (value instanceof BigDecimal b) {
            return b.toPlainString();
        }
        if (value instanceof Object[] array) {
            for (Object e : array) {
                sqlText(e);
            }
            return BatchUpsert.arrayLiteral(array);
        }
        if (value instanceof Collection<?> list) {
            return sqlText(list.toArray());
        }
        return value.toString();
    }
}
