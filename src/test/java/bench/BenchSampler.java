package bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A poor man's profiler for one busy thread (the stage-and-apply step while a batch is in it,
 * the Salesforce writer): samples the thread's stack every {@code intervalMicros} and counts
 * where it is: the deepest Sluice frame ({@code sync.*}) and whether the thread is waiting for
 * PostgreSQL (a socket read under the JDBC driver), in a Salesforce call, writing the staging
 * area, blocked on a lock, or on the CPU.
 */
final class BenchSampler implements AutoCloseable {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** The thread to sample now, or null while there is nothing to sample. */
    private final Supplier<Thread> target;
    private final long intervalNanos;
    private final Map<String, AtomicLong> bySite = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
    private final AtomicLong samples = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    BenchSampler(BenchProbe probe, long intervalMicros) {
        this(() -> probe.applying, intervalMicros);
    }

    BenchSampler(Supplier<Thread> target, long intervalMicros) {
        this.target = target;
        this.intervalNanos = intervalMicros * 1000;
        this.thread = new Thread(this::run, "bench-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void reset() {
        bySite.clear();
        byKind.clear();
        samples.set(0);
    }

    private void run() {
        while (running) {
            Thread t = target.get();
            if (t != null) {
                ThreadInfo info = threads.getThreadInfo(t.getId(), 64);
                if (info != null && target.get() == t) {
                    record(info.getStackTrace(), info.getThreadState() == Thread.State.BLOCKED);
                }
            }
            LockSupport.parkNanos(intervalNanos);
        }
    }

    private void record(StackTraceElement[] stack, boolean blocked) {
        if (stack.length == 0) {
            return;
        }
        String site = null;
        boolean staging = false;
        boolean jdbc = false;
        boolean salesforce = false;
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("org.postgresql.")) {
                jdbc = true;
            }
            if (c.startsWith("sync.") && site == null) {
                site = c.substring(c.lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber();
            }
            if (c.startsWith("sync.staging.")) {
                staging = true;
            }
            if (c.startsWith("org.apache.camel.component.salesforce.") || c.startsWith("sync.salesforce.")) {
                salesforce = true;
            }
        }
        StackTraceElement top = stack[0];
        boolean socketRead = (top.getClassName().startsWith("sun.nio.ch.") || top.getClassName().startsWith("java.net."))
                && top.getMethodName().toLowerCase().contains("read") || top.getMethodName().equals("read0")
                || top.getMethodName().equals("socketRead0") || top.getMethodName().equals("poll");
        String kind;
        if (blocked) {
            kind = "blocked on a monitor (another thread holds the lock)";
        } else if (staging) {
            kind = "staging (encode, write, fsync)";
        } else if (salesforce) {
            kind = "Salesforce call (camel-salesforce, HTTP, emulator)";
        } else if (jdbc && socketRead) {
            kind = "waiting on PostgreSQL (JDBC socket read)";
        } else if (jdbc) {
            kind = "JDBC driver CPU (encode/decode, send)";
        } else {
            kind = "Sluice/JVM CPU (parse, convert, merge)";
        }
        samples.incrementAndGet();
        byKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        bySite.computeIfAbsent((site == null ? top.getClassName() + "." + top.getMethodName() : site) + " [" + kind + "]",
                k -> new AtomicLong()).incrementAndGet();
    }

    /** Shares of the samples, by kind and by the 15 busiest sites. */
    Map<String, Object> report() {
        Map<String, Object> out = new LinkedHashMap<>();
        long n = Math.max(1, samples.get());
        out.put("samples", samples.get());
        Map<String, Object> kinds = new LinkedHashMap<>();
        byKind.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
                .forEach(e -> kinds.put(e.getKey(), Math.round(1000.0 * e.getValue().get() / n) / 10.0));
        out.put("percentByKind", kinds);
        Map<String, Object> sites = new LinkedHashMap<>();
        List<Map.Entry<String, AtomicLong>> top = bySite.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(15).toList();
        top.forEach(e -> sites.put(e.getKey(), Math.round(1000.0 * e.getValue().get() / n) / 10.0));
        out.put("percentBySite", sites);
        return out;
    }

    @Override
    public void close() {
        running = false;
    }
}
