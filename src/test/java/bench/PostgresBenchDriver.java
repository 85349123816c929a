package bench;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes changes into the benchmark table the way an application does: on its own JDBC
 * connection (not Sluice's pool, whose sessions carry replication origins), in transactions of a
 * few rows. A transaction of k changes is drawn ~20% inserts (every mapped column), ~70% partial
 * updates of live rows (1-3 of the 5 mapped columns, by primary key) and ~10% deletes; within a
 * transaction no row is changed twice. Inserts name their key (the table's identity column
 * accepts given values), so the driver knows every row without reading it back.
 *
 * <p>The session runs with {@code synchronous_commit} as given ({@code on} is PostgreSQL's default).
 *
 * <p>Every value of a text or number column is unique in the run ({@code Bench 17}, {@code City
 * 18}, 19, ...): it is the change's <em>tracer</em>, by which the benchmark recognises the change
 * in the emulator's change events however Sluice merged it with others. A change that would only
 * set the picklist also sets the employee count, so every change carries at least one tracer.
 */
final class PostgresBenchDriver implements AutoCloseable {
    static final String[] COLUMNS = {"name", "industry", "annual_revenue", "employees", "billing_city"};
    static final String[] FIELDS = {"Name", "Industry", "AnnualRevenue", "NumberOfEmployees", "BillingCity"};
    private static final String[] INDUSTRIES = {"Agriculture", "Banking", "Biotechnology", "Chemicals", "Communications",
            "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Finance",
            "Government", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail", "Technology", "Other"};
    private static final int INDUSTRY = 1;

    /**
     * One change the driver committed.
     *
     * @param seq       order of the change in the run
     * @param key       the row's primary key
     * @param op        'I', 'U' or 'D'
     * @param index     its position among the changes of this row (0 = the insert)
     * @param committed when the driver saw its transaction commit (epoch microseconds)
     */
    record Change(long seq, long key, char op, int index, long committed) {
    }

    private final Connection c;
    private final String table;
    private final Random rnd;
    /** Keys of live rows (swap-removed on delete). */
    private final List<Long> live = new ArrayList<>();
    /** Changes per row, in order. */
    final Map<Long, List<Change>> byKey = new HashMap<>();
    /** "Field=value" of every unique value written -> the change that wrote it. */
    final Map<String, Change> byTracer = new HashMap<>();
    /** Tracers of the open transaction, attached to their changes once committed. */
    private final Map<String, Long> pendingTracers = new HashMap<>();
    private final Map<Integer, PreparedStatement> updates = new HashMap<>();
    private final PreparedStatement insert;
    private final PreparedStatement delete;
    private long nextKey;
    private long value;
    long seq;
    long transactions;
    long inserts;
    long updated;
    long deletes;
    /** Transactions run again after PostgreSQL chose them as a deadlock victim. */
    long deadlockRetries;

    PostgresBenchDriver(String jdbcUrl, String user, String password, String table, long seed, String synchronousCommit)
            throws SQLException {
        this.c = DriverManager.getConnection(jdbcUrl, user, password);
        this.table = table;
        this.rnd = new Random(seed);
        try (Statement st = c.createStatement()) {
            // PostgreSQL's default, which applications run with; the embedded server defaults to off, and
            // then a commit reaches the replication slot only when the WAL writer flushes (wal_writer_delay).
            st.execute("SET synchronous_commit = " + synchronousCommit);
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM " + table)) {
            rs.next();
            nextKey = rs.getLong(1);
        }
        c.commit();
        insert = c.prepareStatement("INSERT INTO " + table + " (id, name, industry, annual_revenue, employees, billing_city)"
                + " SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::numeric[], ?::int[], ?::text[])");
        delete = c.prepareStatement("DELETE FROM " + table + " WHERE id = ANY(?)");
    }

    int liveCount() {
        return live.size();
    }

    /** Inserts {@code n} rows, {@code perTransaction} per transaction. */
    void seed(int n, int perTransaction) throws SQLException {
        for (int done = 0; done < n; ) {
            int k = Math.min(perTransaction, n - done);
            transaction(k, 0, 0);
            done += k;
        }
    }

    /** What a paced or unpaced drive achieved. */
    record Drive(long changes, long transactions, double seconds) {
        double rate() {
            return changes / seconds;
        }
    }

    /**
     * Offers {@code rate} changes/s (open loop: every {@code tickMillis} it commits what the
     * schedule owes, so a slow commit is caught up by the next tick) for {@code seconds};
     * {@code rate <= 0}: as fast as PostgreSQL takes them. Changes go in transactions of
     * {@code perTransaction}.
     */
    Drive drive(double rate, double seconds, long tickMillis, int perTransaction) throws SQLException {
        long before = seq;
        long txBefore = transactions;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long sent = 0;
        long tick = 0;
        while (System.nanoTime() < end) {
            long owed = rate > 0 ? (long) (rate * (System.nanoTime() - start) / 1e9) - sent : perTransaction;
            while (owed > 0) {
                int k = (int) Math.min(owed, perTransaction);
                sent += mixed(k);
                owed -= k;
            }
            if (rate > 0) {
                tick++;
                long wait = start + tick * tickMillis * 1_000_000L - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
        return new Drive(seq - before, transactions - txBefore, (System.nanoTime() - start) / 1e9);
    }

    /** Commits {@code n} changes (the benchmark's mix) as fast as possible, {@code perTransaction} per transaction. */
    Drive write(long n, int perTransaction) throws SQLException {
        long before = seq;
        long txBefore = transactions;
        long start = System.nanoTime();
        while (seq - before < n) {
            mixed((int) Math.min(perTransaction, n - (seq - before)));
        }
        return new Drive(seq - before, transactions - txBefore, (System.nanoTime() - start) / 1e9);
    }

    /** One transaction of {@code k} changes drawn from the mix; returns how many were made. */
    private int mixed(int k) throws SQLException {
        int i = 0;
        int u = 0;
        int d = 0;
        for (int n = 0; n < k; n++) {
            double x = rnd.nextDouble();
            if (x < 0.2) {
                i++;
            } else if (x < 0.9) {
                u++;
            } else {
                d++;
            }
        }
        // keep a pool of live rows to update: never delete below 100 live rows
        d = Math.max(0, Math.min(d, live.size() - 100));
        u = Math.min(u, live.size() - d);
        return transaction(i, u, d);
    }

    private int transaction(int inserting, int updating, int deleting) throws SQLException {
        List<long[]> made = new ArrayList<>(); // {key, op}
        List<Step> steps = new ArrayList<>();
        if (inserting > 0) {
            Long[] keys = new Long[inserting];
            String[] names = new String[inserting];
            String[] industries = new String[inserting];
            Long[] revenues = new Long[inserting];
            Integer[] employees = new Integer[inserting];
            String[] cities = new String[inserting];
            for (int n = 0; n < inserting; n++) {
                keys[n] = nextKey++;
                names[n] = "Bench " + (++value);
                industries[n] = INDUSTRIES[rnd.nextInt(INDUSTRIES.length)];
                revenues[n] = ++value;
                employees[n] = (int) ++value;
                cities[n] = "City " + (++value);
                made.add(new long[]{keys[n], 'I'});
            }
            steps.add(() -> {
                insert.setArray(1, c.createArrayOf("int8", keys));
                insert.setArray(2, c.createArrayOf("text", names));
                insert.setArray(3, c.createArrayOf("text", industries));
                insert.setArray(4, c.createArrayOf("numeric", revenues));
                insert.setArray(5, c.createArrayOf("int4", employees));
                insert.setArray(6, c.createArrayOf("text", cities));
                insert.executeUpdate();
            });
            for (int n = 0; n < inserting; n++) {
                tracer(keys[n], "Name", names[n]);
                tracer(keys[n], "AnnualRevenue", revenues[n]);
                tracer(keys[n], "NumberOfEmployees", employees[n]);
                tracer(keys[n], "BillingCity", cities[n]);
            }
        }
        List<Long> toDelete = new ArrayList<>(deleting);
        for (int n = 0; n < deleting; n++) {
            int j = rnd.nextInt(live.size());
            toDelete.add(live.get(j));
            live.set(j, live.get(live.size() - 1));
            live.remove(live.size() - 1);
        }
        if (updating > 0) {
            Set<Integer> picked = new HashSet<>();
            Map<Integer, List<Object[]>> byShape = new LinkedHashMap<>();
            while (picked.size() < updating) {
                int j = rnd.nextInt(live.size());
                if (!picked.add(j)) {
                    continue;
                }
                long key = live.get(j);
                int count = 1 + rnd.nextInt(3);
                int first = rnd.nextInt(COLUMNS.length);
                int shape = 0;
                for (int f = 0; f < count; f++) {
                    shape |= 1 << ((first + f) % COLUMNS.length);
                }
                if (shape == 1 << INDUSTRY) {
                    shape |= 1 << 3; // a tracer: the employee count
                }
                List<Object> values = new ArrayList<>();
                for (int col = 0; col < COLUMNS.length; col++) {
                    if ((shape & 1 << col) == 0) {
                        continue;
                    }
                    Object v = switch (col) {
                        case 0 -> "Bench " + (++value);
                        case 1 -> INDUSTRIES[rnd.nextInt(INDUSTRIES.length)];
                        case 2 -> BigDecimal.valueOf(++value);
                        case 3 -> (int) ++value;
                        default -> "City " + (++value);
                    };
                    values.add(v);
                    if (col != INDUSTRY) {
                        tracer(key, FIELDS[col], v);
                    }
                }
                values.add(key);
                byShape.computeIfAbsent(shape, s -> new ArrayList<>()).add(values.toArray());
                made.add(new long[]{key, 'U'});
            }
            for (Map.Entry<Integer, List<Object[]>> e : byShape.entrySet()) {
                PreparedStatement ps = updates.computeIfAbsent(e.getKey(), this::prepareUpdate);
                steps.add(() -> {
                    for (Object[] row : e.getValue()) {
                        for (int p = 0; p < row.length; p++) {
                            ps.setObject(p + 1, row[p]);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                });
            }
        }
        if (!toDelete.isEmpty()) {
            steps.add(() -> {
                delete.setArray(1, c.createArrayOf("int8", toDelete.toArray()));
                delete.executeUpdate();
            });
            toDelete.forEach(key -> made.add(new long[]{key, 'D'}));
        }
        commit(steps);
        long committed = BenchProbe.nowMicros();
        transactions++;
        for (long[] m : made) {
            List<Change> changes = byKey.computeIfAbsent(m[0], k -> new ArrayList<>(4));
            Change change = new Change(++seq, m[0], (char) m[1], changes.size(), committed);
            changes.add(change);
            switch (change.op()) {
                case 'I' -> {
                    inserts++;
                    live.add(change.key());
                }
                case 'U' -> updated++;
                default -> deletes++;
            }
        }
        pendingTracers.forEach((tracer, key) -> byTracer.put(tracer, last(key)));
        pendingTracers.clear();
        return made.size();
    }

    private void tracer(long key, String field, Object value) {
        pendingTracers.put(tracerKey(field, value), key);
    }

    private Change last(long key) {
        List<Change> changes = byKey.get(key);
        return changes.get(changes.size() - 1);
    }

    /** One statement of a transaction, run again if the transaction is retried. */
    private interface Step {
        void run() throws SQLException;
    }

    /**
     * Runs the statements and commits; a transaction chosen as a deadlock victim is rolled back
     * and run again, as applications do (its row locks can cross those of Sluice's Id write-back).
     */
    private void commit(List<Step> steps) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                for (Step step : steps) {
                    step.run();
                }
                c.commit();
                return;
            } catch (SQLException e) {
                c.rollback();
                for (PreparedStatement ps : updates.values()) {
                    ps.clearBatch();
                }
                if (!deadlock(e) || attempt == 10) {
                    throw e;
                }
                deadlockRetries++;
            }
        }
    }

    private static boolean deadlock(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() != null ? t.getCause()
                : t instanceof SQLException s && s.getNextException() != t ? s.getNextException() : null) {
            if (t instanceof SQLException s && "40P01".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** How a tracer is looked up: field and value, numbers in their plain form. */
    static String tracerKey(String field, Object value) {
        String v = value instanceof Number ? new BigDecimal(value.toString()).stripTrailingZeros().toPlainString()
                : String.valueOf(value);
        return field + "=" + v;
    }

    private PreparedStatement prepareUpdate(int shape) {
        List<String> sets = new ArrayList<>();
        for (int col = 0; col < COLUMNS.length; col++) {
            if ((shape & 1 << col) != 0) {
                sets.add(COLUMNS[col] + " = ?");
            }
        }
        try {
            return c.prepareStatement("UPDATE " + table + " SET " + String.join(", ", sets) + " WHERE id = ?");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
