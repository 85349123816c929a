package routes;

import emulator.EmulatorHttp;
import emulator.SalesforceEmulator;
import emulator.model.ObjectDef;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static emulator.EmulatorHttp.V;

/**
 * A steady load on both sides of the two-way Account mapping, as an application and Salesforce
 * users make it: one thread writes {@code public.tw_account} on its own connection (inserts,
 * updates, deletes), another writes Accounts through the emulator's REST API. Every record of a
 * run is named {@code <run> pg <n>} or {@code <run> sf <n>}, so that {@link Convergence} compares
 * exactly this run's records and a duplicate shows as two records of one name.
 *
 * <p>Both sides edit the even-numbered records of both origins (the same field: concurrent edits
 * that must converge to one value); each side deletes only odd-numbered records it created, so
 * that no delete races an edit of the other side (a genuine conflict whose outcome is a policy,
 * not a convergence question). A failed write (PostgreSQL away, a Salesforce fault, an expired
 * session) is counted and the driver goes on with the next one, like an application would.
 */
final class TwoWayLoad implements AutoCloseable {
    static final String TABLE = "public.tw_account";

    private final String run;
    private final SalesforceEmulator org;
    private final EmulatorHttp sf;
    private final long periodNanos;
    private final Random random;
    private volatile boolean stopped;
    private final AtomicLong pgWrites = new AtomicLong();
    private final AtomicLong sfWrites = new AtomicLong();
    private final AtomicLong pgFailures = new AtomicLong();
    private final AtomicLong sfFailures = new AtomicLong();
    private final AtomicLong values = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private Connection pg;
    private int pgCreated;
    private int sfCreated;

    /**
     * @param run        the name prefix of this run's records
     * @param perSecond  writes per second on each side
     */
    private TwoWayLoad(String run, SalesforceEmulator org, int perSecond, long seed) {
        this.run = run;
        this.org = org;
        this.sf = new EmulatorHttp(org);
        this.periodNanos = 1_000_000_000L / perSecond;
        this.random = new Random(seed);
    }

    static TwoWayLoad start(String run, SalesforceEmulator org, int perSecond, long seed) {
        TwoWayLoad load = new TwoWayLoad(run, org, perSecond, seed);
        load.sf.login();
        load.threads.add(started("load-postgres", () -> load.loop(load::postgresWrite)));
        load.threads.add(started("load-salesforce", () -> load.loop(load::salesforceWrite)));
        return load;
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    String run() {
        return run;
    }

    /** Writes committed so far, both sides. */
    long writes() {
        return pgWrites.get() + sfWrites.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            t.join(60_000);
        }
        if (pg != null) {
            try {
                pg.close();
            } catch (SQLException ignored) {
                // the outage ended it already
            }
        }
    }

    @Override
    public String toString() {
        return "load " + run + ": " + pgWrites + " PostgreSQL writes (" + pgFailures + " failed), " + sfWrites
                + " Salesforce writes (" + sfFailures + " failed)";
    }

    private void loop(Runnable write) {
        long next = System.nanoTime();
        while (!stopped) {
            write.run();
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    private synchronized int roll() {
        return random.nextInt(100);
    }

    private String value() {
        return "C" + values.incrementAndGet();
    }

    private void postgresWrite() {
        try {
            if (pg == null || pg.isClosed()) {
                pg = SyncTestSupport.appConnection();
            }
            int roll = roll();
            if (roll < 35) {
                try (PreparedStatement ps = pg.prepareStatement("INSERT INTO " + TABLE
                        + " (name, billing_city, annual_revenue) VALUES (?, ?, 1000)")) {
                    ps.setString(1, run + " pg " + (++pgCreated));
                    ps.setString(2, value());
                    ps.executeUpdate();
                }
            } else if (roll < 85) {
                // an even record of either side: the field the other side edits too
                try (PreparedStatement ps = pg.prepareStatement("UPDATE " + TABLE + " SET billing_city = ? WHERE id = "
                        + "(SELECT id FROM " + TABLE + " WHERE name LIKE ? AND right(name, 1) IN ('0','2','4','6','8')"
                        + " ORDER BY random() LIMIT 1)")) {
                    ps.setString(1, value());
                    ps.setString(2, run + " %");
                    ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = pg.prepareStatement("DELETE FROM " + TABLE + " WHERE id = "
                        + "(SELECT id FROM " + TABLE + " WHERE name LIKE ? AND right(name, 1) IN ('1','3','5','7','9')"
                        + " ORDER BY random() LIMIT 1)")) {
                    ps.setString(1, run + " pg %");
                    ps.executeUpdate();
                }
            }
            pgWrites.incrementAndGet();
        } catch (SQLException e) {
            pgFailures.incrementAndGet();
            try {
                pg.close();
            } catch (SQLException | RuntimeException ignored) {
                // reconnects on the next write
            }
        }
    }

    private void salesforceWrite() {
        ObjectDef account = org.schema().object("Account");
        int roll = roll();
        EmulatorHttp.Reply r;
        if (roll < 35) {
            r = sf.post(V + "/sobjects/Account", "{\"Name\":\"" + run + " sf " + (++sfCreated) + "\",\"BillingCity\":\""
                    + value() + "\"}");
        } else {
            boolean edit = roll < 85;
            List<String> ids = new ArrayList<>();
            for (Map<String, Object> rec : org.store().all(account, false)) {
                String name = String.valueOf(rec.get("Name"));
                char last = name.charAt(name.length() - 1);
                if (edit ? name.startsWith(run + " ") && (last - '0') % 2 == 0
                        : name.startsWith(run + " sf ") && (last - '0') % 2 == 1) {
                    ids.add(rec.get("Id").toString());
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            String id = ids.get(roll % ids.size());
            r = edit ? sf.patch(V + "/sobjects/Account/" + id, "{\"BillingCity\":\"" + value() + "\"}")
                    : sf.delete(V + "/sobjects/Account/" + id);
        }
        if (r.status() == 401) {
            sf.login(); // the session expired (a fault under test): log in again, as a client does
        }
        if (r.status() / 100 == 2) {
            sfWrites.incrementAndGet();
        } else {
            sfFailures.incrementAndGet();
        }
    }

    /**
     * Both sides after the run, record by record: every row linked to exactly one live record of
     * the same values, every record of the run linked from exactly one row.
     *
     * @param lost       rows never linked to a record, rows whose record is gone, records no row links
     *                   to (a create or delete that did not cross)
     * @param duplicated extra records or rows of one name
     * @param divergent  linked pairs whose values differ
     * @param problems   the first few of each, for the assertion message
     * @param names      the names of the divergent records
     */
    record Convergence(int rows, int records, int lost, int duplicated, int divergent, List<String> problems,
                       List<String> names) {
        boolean converged() {
            return lost == 0 && duplicated == 0 && divergent == 0;
        }

        @Override
        public String toString() {
            return rows + " rows, " + records + " records: " + lost + " lost, " + duplicated + " duplicated, " + divergent
                    + " divergent" + (problems.isEmpty() ? "" : " " + problems);
        }
    }

    Convergence compare(Connection db) throws SQLException {
        record Row(String sfid, String name, String city) {
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT sfid, name, billing_city FROM " + TABLE + " WHERE name LIKE ?")) {
            ps.setString(1, run + " %");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        Map<String, Map<String, Object>> records = new HashMap<>();
        Map<String, Integer> recordNames = new HashMap<>();
        for (Map<String, Object> rec : org.store().all(org.schema().object("Account"), false)) {
            String name = String.valueOf(rec.get("Name"));
            if (name.startsWith(run + " ")) {
                records.put(rec.get("Id").toString(), rec);
                recordNames.merge(name, 1, Integer::sum);
            }
        }
        List<String> problems = new ArrayList<>();
        int lost = 0;
        int duplicated = 0;
        int divergent = 0;
        Map<String, Integer> rowNames = new HashMap<>();
        List<String> divergentNames = new ArrayList<>();
        Map<String, Integer> linked = new HashMap<>();
        for (Row row : rows) {
            rowNames.merge(row.name(), 1, Integer::sum);
            Map<String, Object> rec = row.sfid() == null ? null : records.get(row.sfid());
            if (rec == null) {
                lost++;
                note(problems, "row '" + row.name() + "' " + (row.sfid() == null ? "has no record" : "links gone record " + row.sfid()));
                continue;
            }
            linked.merge(row.sfid(), 1, Integer::sum);
            if (!row.name().equals(rec.get("Name")) || !java.util.Objects.equals(row.city(), rec.get("BillingCity"))) {
                divergent++;
                divergentNames.add(row.name());
                note(problems, "'" + row.name() + "': PostgreSQL " + row.city() + ", Salesforce " + rec.get("BillingCity"));
            }
        }
        for (int n : rowNames.values()) {
            duplicated += n - 1;
        }
        for (int n : recordNames.values()) {
            duplicated += n - 1;
        }
        for (Map.Entry<String, Integer> e : linked.entrySet()) {
            duplicated += e.getValue() - 1; // several rows linking one record
        }
        for (Map.Entry<String, Map<String, Object>> rec : records.entrySet()) {
            String name = String.valueOf(rec.getValue().get("Name"));
            if (!linked.containsKey(rec.getKey()) && recordNames.get(name) == 1) {
                lost++;
                note(problems, "record '" + name + "' " + rec.getKey() + " has no row");
            }
        }
        recordNames.forEach((name, n) -> {
            if (n > 1) {
                note(problems, n + " records named '" + name + "'");
            }
        });
        rowNames.forEach((name, n) -> {
            if (n > 1) {
                note(problems, n + " rows named '" + name + "'");
            }
        });
        return new Convergence(rows.size(), records.size(), lost, duplicated, divergent, problems, divergentNames);
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < 8) {
            problems.add(problem);
        }
    }
}
