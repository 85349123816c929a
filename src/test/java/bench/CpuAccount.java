package bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the CPU goes during a phase, cheaply: CPU time of this JVM's threads, grouped by thread
 * name (numbers folded), and of the benchmark's PostgreSQL server (its postmaster and children,
 * read from /proc on Linux; absent elsewhere). Two snapshots make a phase's account; threads
 * and backends that ended in between are lost.
 */
final class CpuAccount {
    static final String POSTGRES = "PostgreSQL server processes";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long postmaster;

    /** @param postmaster process id of the PostgreSQL server's postmaster; -1 to leave PostgreSQL out */
    CpuAccount(long postmaster) {
        this.postmaster = postmaster;
    }

    /** CPU nanoseconds so far, by thread id (JVM) plus {@link #POSTGRES}. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new HashMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId());
            if (cpu > 0) {
                out.put(t.getThreadId() + "\t" + t.getThreadName(), cpu);
            }
        }
        long pg = postgresCpuNanos();
        if (pg >= 0) {
            out.put(POSTGRES, pg);
        }
        return out;
    }

    /**
     * CPU seconds spent between two snapshots, by group, busiest first, with the total and the
     * wall time for reference (on N cores at most N x wall can be spent).
     */
    static Map<String, Object> between(Map<String, Long> before, Map<String, Long> after, double wallSeconds) {
        Map<String, Double> groups = new HashMap<>();
        double total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long spent = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (spent <= 0) {
                continue;
            }
            String name = e.getKey().equals(POSTGRES) ? POSTGRES : "JVM: " + group(e.getKey().substring(e.getKey().indexOf('\t') + 1));
            groups.merge(name, spent / 1e9, Double::sum);
            total += spent / 1e9;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wallSeconds", BenchStats.round(wallSeconds, 2));
        out.put("cpuSeconds", BenchStats.round(total, 2));
        out.put("cores", Runtime.getRuntime().availableProcessors());
        Map<String, Object> top = new LinkedHashMap<>();
        groups.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(12)
                .forEach(e -> top.put(e.getKey(), BenchStats.round(e.getValue(), 2)));
        out.put("cpuSecondsByGroup", top);
        return out;
    }

    /** A thread's group: its name with numbers folded, e.g. "Camel (camel-1) thread #7 - timer://x" -> "... #n - timer://x". */
    private static String group(String name) {
        return name.replaceAll("\\d+", "n");
    }

    /** utime + stime of the postmaster and its children, in nanoseconds; -1 without /proc. */
    private long postgresCpuNanos() {
        Path proc = Path.of("/proc");
        if (postmaster < 0 || !Files.isDirectory(proc)) {
            return -1;
        }
        long ticks = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path pid : pids) {
                try {
                    String stat = Files.readString(pid.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (open < 0 || close < 0) {
                        continue;
                    }
                    String[] rest = stat.substring(close + 2).split(" ");
                    if (Long.parseLong(pid.getFileName().toString()) != postmaster && Long.parseLong(rest[1]) != postmaster) {
                        continue;
                    }
                    // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command
                    ticks += Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * (1_000_000_000L / 100); // USER_HZ is 100 on Linux
    }
}
