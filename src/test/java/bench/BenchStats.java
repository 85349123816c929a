package bench;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the benchmarks share to report figures: percentiles, rounding, the machine, value comparison. */
final class BenchStats {

    private BenchStats() {
    }

    /** count, p50, p95, p99, max and mean in milliseconds of durations given in microseconds. */
    static Map<String, Object> percentiles(List<Long> micros) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", micros.size());
        if (micros.isEmpty()) {
            return out;
        }
        long[] v = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        out.put("p50", round(pct(v, 0.50) / 1000.0, 1));
        out.put("p95", round(pct(v, 0.95) / 1000.0, 1));
        out.put("p99", round(pct(v, 0.99) / 1000.0, 1));
        out.put("max", round(v[v.length - 1] / 1000.0, 1));
        out.put("mean", round(Arrays.stream(v).average().orElse(0) / 1000.0, 1));
        return out;
    }

    /** "p50 / p99" of a {@link #percentiles} map, for summaries. */
    @SuppressWarnings("unchecked")
    static String p50p99(Object percentiles) {
        Map<String, Object> m = (Map<String, Object>) percentiles;
        return m.get("p50") + " / " + m.get("p99");
    }

    /** The nearest-rank quantile {@code q} of sorted values. */
    static long pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** {@code v} rounded to {@code digits} decimals; -1 for NaN and infinities (JSON has neither). */
    static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return -1;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** Cores, JVM, heap, OS and the PostgreSQL server's version. */
    static Map<String, Object> machine(DataSource db) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("loadAverageAtStart", loadAverage());
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            m.put("postgres", rs.getString(1));
        } catch (SQLException e) {
            m.put("postgres", "unknown: " + e.getMessage());
        }
        return m;
    }

    /** The system's load average over the last minute (other processes share the cores), -1 where unknown. */
    static double loadAverage() {
        return round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2);
    }

    /** Whether a Salesforce value (emulator store) and a PostgreSQL value are the same, numbers and datetimes by value. */
    static boolean same(Object sf, Object pg) {
        if (sf == null || pg == null) {
            return sf == null && pg == null;
        }
        if (sf instanceof Number || pg instanceof Number) {
            return new BigDecimal(sf.toString()).compareTo(new BigDecimal(pg.toString())) == 0;
        }
        if (sf instanceof Instant || pg instanceof Instant) {
            return Instant.parse(sf.toString()).equals(Instant.parse(pg.toString()));
        }
        return sf.toString().equals(pg.toString());
    }

    /** Runs statements on their own, autocommit. */
    static void sql(DataSource db, String... statements) {
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row, as a whole number (0 for NULL, as JDBC's getLong). */
    static long scalar(DataSource db, String sql) {
        String t = text(db, sql);
        return t == null ? 0 : new java.math.BigDecimal(t).longValue();
    }

    /** The first column of the first row, as text. */
    static String text(DataSource db, String sql) {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(sql);
             java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
