package bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import emulator.EmulatorHttp;
import emulator.SalesforceEmulator;
import emulator.model.ObjectDef;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import routes.PostgresToSalesforceRoute;
import sync.config.SyncConfig;
import sync.flow.SyncEngine;
import sync.outbound.OutboundPruner;
import sync.testing.EmulatorResource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static bench.BenchStats.percentiles;
import static bench.BenchStats.round;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The PostgreSQL -> Salesforce benchmark (DESIGN.md section 8). Runs only on demand:
 * {@code ./mvnw -Pbench test -Dtest=PostgresToSalesforceBenchmark [-Dbench.rate=1000|max] ...};
 * the default build excludes the {@code benchmark} tag. An application-like driver writes
 * changes into {@code public.bench_outbound} on its own connection (~20% inserts, ~70% partial
 * updates, ~10% deletes, {@code bench.tx-rows} rows per transaction); Sluice captures them with
 * Debezium and writes them to the in-process emulator. In one run it measures
 * <ol>
 * <li><b>fixed rate</b>: changes offered at {@code bench.rate}/s for {@code bench.seconds} after
 * {@code bench.warmup-seconds}; per change, end-to-end latency = the emulator's commit of the
 * write that carries it (the change event's {@code commitTimestamp}) minus its commit in
 * PostgreSQL (a deferred constraint trigger logs {@code clock_timestamp()} at commit); p50 / p95
 * / p99 / max, split into Debezium delivery, queueing, batch wait and the Salesforce write;</li>
 * <li><b>backlog</b>: {@code bench.backlog} changes written with the outbound side stopped, then
 * started again: changes/s from restart to the last write committed in the emulator, the capture
 * rate alone, and the rate at which the application wrote them (raw PostgreSQL);</li>
 * <li><b>API calls</b> per 1,000 changes in each phase, from the emulator's counters;</li>
 * <li><b>reference</b>: the emulator's own ceiling for the same mix, written by serial sObject
 * Collections calls of 200 records over HTTP in the same run, and the ratios;</li>
 * <li><b>correctness</b>: the emulator's Account records equal the table's rows.</li>
 * </ol>
 * A change is recognised in the emulator by its tracer values (see {@link PostgresBenchDriver}),
 * however Sluice merged it with later changes of the same record. Prints a summary and writes
 * {@code target/bench/postgres-to-salesforce.json}. Asserts only that every change arrived and
 * the two sides are equal, never timings.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(OutboundBenchProfile.class)
class PostgresToSalesforceBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path OUTPUT = Path.of("target", "bench", "postgres-to-salesforce.json");
    private static final String TABLE = OutboundBenchProfile.TABLE;
    private static final String MAPPING = OutboundBenchProfile.MAPPING;
    private static final String COMMIT_TRIGGER = "bench_commit";
    private static final double TARGET_SUSTAINED = 5_000;
    private static final double TARGET_P99_MS = 1_000;
    private static final double TARGET_P99_RATE = 1_000;
    private static final double TARGET_CALLS_PER_THOUSAND = 6;

    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    CamelContext camel;
    @Inject
    SyncConfig config;

    private final double rate = "max".equalsIgnoreCase(System.getProperty("bench.rate", "1000")) ? 0 : number("bench.rate", "1000");
    private final double seconds = number("bench.seconds", "30");
    private final double warmupSeconds = number("bench.warmup-seconds", "5");
    private final long tickMillis = (long) number("bench.tick-millis", "20");
    private final int txRows = (int) number("bench.tx-rows", "10");
    private final int seedRows = (int) number("bench.seed-rows", "5000");
    private final int backlog = (int) number("bench.backlog", "50000");
    private final int referenceChanges = (int) number("bench.reference-changes", backlog > 0 ? String.valueOf(backlog) : "50000");
    private final String synchronousCommit = System.getProperty("bench.synchronous-commit", "on");
    private final long drainTimeoutSeconds = (long) number("bench.drain-timeout-seconds", "600");

    private SalesforceEmulator org;
    private OutboundProbe probe;
    private PostgresBenchDriver driver;
    private CpuAccount cpu;
    /** The changes the commit trigger timed (warm-up and window of the fixed-rate phase). */
    private long firstTimed;
    private long lastTimed;

    @Test
    @SuppressWarnings("unchecked")
    void benchmark() throws Exception {
        if (!synchronousCommit.matches("on|off|local|remote_write|remote_apply")) {
            throw new IllegalArgumentException("-Dbench.synchronous-commit=" + synchronousCommit
                    + ": expected on, off, local, remote_write or remote_apply");
        }
        if (txRows < 1 || seconds <= 0) {
            throw new IllegalArgumentException("-Dbench.tx-rows and -Dbench.seconds must be at least 1");
        }
        org = EmulatorResource.emulator();
        await().atMost(Duration.ofSeconds(120)).until(() -> engine.state() == SyncEngine.State.RUNNING && engine.outbound() != null);
        Set<String> before = liveAccountIds();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "postgres-to-salesforce");
        report.put("date", Instant.now().toString());
        report.put("machine", BenchStats.machine(db));
        report.put("parameters", parameters());

        // Instrument: the bus listener sees every write the emulator commits; the intercept
        // strategy wraps the capture step once the outbound routes are added again (they resume
        // from the stored Debezium offset).
        probe = new OutboundProbe();
        org.bus().addListener(probe);
        engine.stopOutbound();
        for (String route : List.of(PostgresToSalesforceRoute.CAPTURE_ROUTE, PostgresToSalesforceRoute.WRITER_ROUTE,
                PostgresToSalesforceRoute.PRUNER_ROUTE)) {
            camel.getRouteController().stopRoute(route);
            camel.removeRoute(route);
        }
        camel.getCamelContextExtension().addInterceptStrategy(probe);
        camel.addRoutes(new PostgresToSalesforceRoute(engine.outbound(),
                new OutboundPruner(db, engine.outbound().writer().mappings(), config.outbound().echoWindow())));
        sql("DROP SCHEMA IF EXISTS bench CASCADE", "CREATE SCHEMA bench",
                "CREATE UNLOGGED TABLE bench.pg_commit (id bigint NOT NULL, at timestamptz NOT NULL)",
                """
                CREATE FUNCTION bench.log_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  -- Sluice's Id write-back runs in a session with a replication origin: not an application change
                  IF pg_replication_origin_session_is_setup() THEN
                    RETURN NULL;
                  END IF;
                  INSERT INTO bench.pg_commit VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, clock_timestamp());
                  RETURN NULL;
                END $$""");
        cpu = new CpuAccount(postmasterPid());
        BenchSampler sampler = new BenchSampler(() -> probe.writing, Long.getLong("bench.sample-micros", 2000L));
        var ds = ConfigProvider.getConfig();
        driver = new PostgresBenchDriver(ds.getValue("quarkus.datasource.jdbc.url", String.class),
                ds.getOptionalValue("quarkus.datasource.username", String.class).orElse(null),
                ds.getOptionalValue("quarkus.datasource.password", String.class).orElse(null), TABLE,
                Long.getLong("bench.seed", 42L), synchronousCommit);
        probe.recording = true;

        // ---- seed: rows the fixed-rate phase updates and deletes
        long seedStart = System.nanoTime();
        driver.seed(seedRows, 500);
        awaitDrained("seed");
        Map<String, Object> seed = new LinkedHashMap<>();
        seed.put("rows", seedRows);
        seed.put("seconds", round((System.nanoTime() - seedStart) / 1e9, 2));
        report.put("seed", seed);
        System.out.printf("%n[bench] seeded %d rows, all in the emulator after %.1f s%n", seedRows, (System.nanoTime() - seedStart) / 1e9);

        // ---- (1) fixed offered rate, per-change latency
        firstTimed = driver.seq + 1;
        sql("CREATE CONSTRAINT TRIGGER " + COMMIT_TRIGGER + " AFTER INSERT OR UPDATE OR DELETE ON " + TABLE
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bench.log_commit()");
        System.out.printf("[bench] fixed rate: %s changes/s, %.0f s warm-up + %.0f s measured, %d rows per transaction%n",
                rate > 0 ? String.valueOf(rate) : "max", warmupSeconds, seconds, txRows);
        long deadlocksBefore = driver.deadlockRetries;
        driver.drive(rate, warmupSeconds, tickMillis, txRows);
        Map<String, Long> countersBefore = org.counters().snapshot();
        Map<String, Long> cpuBefore = cpu.snapshot();
        resetWriter(sampler);
        long windowStart = BenchProbe.nowMicros();
        PostgresBenchDriver.Drive offered = driver.drive(rate, seconds, tickMillis, txRows);
        long windowEnd = BenchProbe.nowMicros();
        Map<String, Long> countersAfter = org.counters().snapshot();
        Map<String, Long> cpuAfter = cpu.snapshot();
        Map<String, Object> fixedWriter = writer(sampler, (windowEnd - windowStart) / 1e6);
        lastTimed = driver.seq;
        awaitDrained("fixed-rate phase");
        sql("DROP TRIGGER " + COMMIT_TRIGGER + " ON " + TABLE);

        Flow flow = new Flow();
        Map<String, Object> fixed = fixedRate(flow, offered, windowStart, windowEnd);
        fixed.put("apiCalls", apiCalls(countersBefore, countersAfter, flow.visibleBetween(windowStart, windowEnd)));
        fixed.put("cpu", CpuAccount.between(cpuBefore, cpuAfter, (windowEnd - windowStart) / 1e6));
        fixed.put("writer", fixedWriter);
        fixed.put("driverDeadlockRetries", driver.deadlockRetries - deadlocksBefore);
        report.put("fixedRate", fixed);

        // ---- (2) backlog: written with the outbound side stopped, then drained
        Map<String, Object> drained = null;
        if (backlog > 0) {
            engine.stopOutbound();
            deadlocksBefore = driver.deadlockRetries;
            long first = driver.seq + 1;
            PostgresBenchDriver.Drive written = driver.write(backlog, txRows);
            System.out.printf("[bench] backlog: %d changes written in %.1f s with the outbound side stopped; draining%n",
                    written.changes(), written.seconds());
            countersBefore = org.counters().snapshot();
            cpuBefore = cpu.snapshot();
            resetWriter(sampler);
            long restart = BenchProbe.nowMicros();
            engine.startOutbound();
            awaitDrained("backlog");
            countersAfter = org.counters().snapshot();
            cpuAfter = cpu.snapshot();
            double wall = (BenchProbe.nowMicros() - restart) / 1e6;
            Map<String, Object> backlogWriter = writer(sampler, wall);
            flow = new Flow();
            drained = backlog(flow, written, first, driver.seq, restart);
            drained.put("apiCalls", apiCalls(countersBefore, countersAfter, written.changes()));
            drained.put("cpu", CpuAccount.between(cpuBefore, cpuAfter, wall));
            drained.put("writer", backlogWriter);
            drained.put("driverDeadlockRetries", driver.deadlockRetries - deadlocksBefore);
            report.put("backlog", drained);
        }
        probe.recording = false;
        sampler.close();

        // ---- (5) correctness: the emulator's records equal the table's rows
        Map<String, Object> check = verify(before);
        report.put("correctness", check);

        // ---- (4) reference: the emulator's own ceiling for the mix, serial 200-record calls over HTTP
        EmulatorHttp sf = new EmulatorHttp(org);
        sf.login();
        Map<String, Object> reference = reference(sf);
        report.put("reference", reference);
        report.put("ratios", ratios(fixed, drained, reference));
        report.put("targets", targets(fixed, drained));

        ((Map<String, Object>) report.get("machine")).put("loadAverageAtEnd", BenchStats.loadAverage());
        Files.createDirectories(OUTPUT.getParent());
        JSON.writeValue(OUTPUT.toFile(), report);
        System.out.println(summary(report));
        System.out.println("[bench] JSON written to " + OUTPUT.toAbsolutePath());
        driver.close();
        // The other benchmark, when it runs next in this JVM, compares every Account with its table.
        assertThat(sf.admin("reset", "{}").status()).as("emulator reset").isEqualTo(200);

        assertThat((Long) fixed.get("unmatchedChanges")).as("fixed-rate changes never seen in the emulator").isZero();
        if (drained != null) {
            assertThat((Long) drained.get("unmatchedChanges")).as("backlog changes never seen in the emulator").isZero();
        }
        assertThat((Long) check.get("rowsWithoutRecord")).as("rows whose record is not in the emulator").isZero();
        assertThat((Long) check.get("recordsWithoutRow")).as("records the emulator has but no row names").isZero();
        assertThat((Long) check.get("mismatchedSamples")).as("sampled rows differing from their record").isZero();
        assertThat((Long) check.get("failedChanges")).as("changes Sluice could not write").isZero();
        assertThat((Long) check.get("deadLetters")).as("dead letters").isZero();
    }

    // =====================================================================================
    // following each change through the flow

    /**
     * Every driver change, by its sequence number: when it committed in PostgreSQL (trigger;
     * 0 outside the timed phase), reached the capture step, was queued and claimed (its
     * sync.outbound_change row), and became visible in the emulator (0 if never). Also the
     * emulator's writes (one transaction per collections call) as the probe saw them.
     */
    private final class Flow {
        final int n = (int) driver.seq + 1;
        final PostgresBenchDriver.Change[] change = new PostgresBenchDriver.Change[n];
        final long[] pgCommit = new long[n];
        final long[] decoded = new long[n];
        final long[] delivered = new long[n];
        final long[] queued = new long[n];
        final long[] claimed = new long[n];
        final long[] visible = new long[n];
        final boolean[] collapsed = new boolean[n];
        final List<OutboundProbe.Written> writes = new ArrayList<>(probe.written);
        long pgCommitMismatches;
        long queueMismatches;

        Flow() throws SQLException {
            // listeners run after the bus assigned replay ids, possibly out of order between threads
            writes.sort(Comparator.comparingLong(OutboundProbe.Written::replayId));
            driver.byKey.values().forEach(list -> list.forEach(c -> change[(int) c.seq()] = c));
            loadPgCommits();
            loadQueue();
            followWrites();
        }

        /** The trigger's rows of a key, in commit order, are that key's timed changes in order. */
        private void loadPgCommits() throws SQLException {
            Map<Long, List<Long>> byKey = new HashMap<>();
            try (Connection c = db.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, (extract(epoch FROM at) * 1000000)::int8 FROM bench.pg_commit ORDER BY at")) {
                while (rs.next()) {
                    byKey.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>(2)).add(rs.getLong(2));
                }
            }
            for (Map.Entry<Long, List<Long>> e : byKey.entrySet()) {
                List<PostgresBenchDriver.Change> timed = driver.byKey.getOrDefault(e.getKey(), List.of()).stream()
                        .filter(c -> c.seq() >= firstTimed && c.seq() <= lastTimed).toList();
                if (timed.size() != e.getValue().size()) {
                    pgCommitMismatches++;
                    continue;
                }
                for (int i = 0; i < timed.size(); i++) {
                    pgCommit[(int) timed.get(i).seq()] = e.getValue().get(i);
                }
            }
        }

        /** The queue's rows of a key, in queue order, are that key's changes in order. */
        private void loadQueue() throws SQLException {
            Map<Long, List<long[]>> byKey = new HashMap<>();
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    SELECT pg_key::bigint, lsn, (extract(epoch FROM captured_at) * 1000000)::int8,
                           (extract(epoch FROM sending_at) * 1000000)::int8
                    FROM sync.outbound_change WHERE mapping = ? ORDER BY id""")) {
                ps.setString(1, MAPPING);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byKey.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>(2))
                                .add(new long[]{rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                    }
                }
            }
            for (Map.Entry<Long, List<PostgresBenchDriver.Change>> e : driver.byKey.entrySet()) {
                List<long[]> rows = byKey.getOrDefault(e.getKey(), List.of());
                if (rows.size() != e.getValue().size()) {
                    queueMismatches++;
                    continue;
                }
                for (int i = 0; i < rows.size(); i++) {
                    int seq = (int) e.getValue().get(i).seq();
                    Long at = probe.capturedMicros.get(rows.get(i)[0]);
                    delivered[seq] = at == null ? 0 : at;
                    Long processed = probe.processedMillis.get(rows.get(i)[0]);
                    decoded[seq] = processed == null ? 0 : processed * 1000;
                    queued[seq] = rows.get(i)[1];
                    claimed[seq] = rows.get(i)[2];
                }
            }
        }

        /**
         * A write of a record carries change k of its row when it holds one of the tracer
         * values of k; it then also settles every earlier change of the row (merged into it or
         * sent before). A delete settles every change of the row.
         */
        final Map<String, Long> keyBySfid = new HashMap<>();

        private void followWrites() {
            Map<Long, Integer> settled = new HashMap<>(); // key -> changes of the row settled so far
            for (OutboundProbe.Written w : writes) {
                if (w.changeType().equals("DELETE")) {
                    for (String id : w.recordIds()) {
                        Long key = keyBySfid.get(id);
                        if (key != null) {
                            settle(key, Integer.MAX_VALUE, w.commitMicros(), settled);
                        }
                    }
                    continue;
                }
                Map<Long, Integer> carried = new HashMap<>();
                for (Map.Entry<String, Object> f : w.fields().entrySet()) {
                    PostgresBenchDriver.Change c = driver.byTracer.get(PostgresBenchDriver.tracerKey(f.getKey(), f.getValue()));
                    if (c != null) {
                        carried.merge(c.key(), c.index(), Math::max);
                    }
                }
                if (w.changeType().equals("CREATE") && carried.size() == 1 && w.recordIds().size() == 1) {
                    keyBySfid.put(w.recordIds().get(0), carried.keySet().iterator().next());
                }
                carried.forEach((key, index) -> settle(key, index, w.commitMicros(), settled));
            }
            // A row inserted and deleted before it reached Salesforce needs (and gets) no write.
            Set<Long> known = new HashSet<>(keyBySfid.values());
            driver.byKey.forEach((key, list) -> {
                if (!known.contains(key) && list.get(list.size() - 1).op() == 'D') {
                    list.forEach(c -> collapsed[(int) c.seq()] = true);
                }
            });
        }

        private void settle(long key, int upTo, long at, Map<Long, Integer> settled) {
            List<PostgresBenchDriver.Change> list = driver.byKey.get(key);
            int from = settled.getOrDefault(key, 0);
            int to = Math.min(list.size() - 1, upTo);
            for (int i = from; i <= to; i++) {
                visible[(int) list.get(i).seq()] = at;
            }
            settled.put(key, Math.max(from, to + 1));
        }

        /** A change never seen in the emulator: its row's changes and the writes of its record. */
        String explain(int seq) {
            long key = change[seq].key();
            StringBuilder out = new StringBuilder("row " + key + ", change #" + change[seq].index() + ":");
            for (PostgresBenchDriver.Change c : driver.byKey.get(key)) {
                out.append(' ').append(c.op()).append(c.index()).append(visible[(int) c.seq()] > 0 ? "+" : "-");
            }
            keyBySfid.forEach((id, k) -> {
                if (k == key) {
                    out.append("; record ").append(id).append(':');
                    writes.stream().filter(w -> w.recordIds().contains(id))
                            .forEach(w -> out.append(' ').append(w.changeType()).append(w.fields()));
                }
            });
            return out.toString();
        }

        /** Changes whose carrying write the emulator committed in [from, to). */
        long visibleBetween(long from, long to) {
            long count = 0;
            for (long v : visible) {
                if (v >= from && v < to) {
                    count++;
                }
            }
            return count;
        }

        /** Sluice's writes (collections calls) among the probe's, as records per call. */
        Map<String, Object> calls(long from, long to) {
            Map<String, List<Integer>> byKind = new TreeMap<>();
            Map<String, Integer> records = new HashMap<>();
            Map<String, String> kind = new HashMap<>();
            for (OutboundProbe.Written w : writes) {
                if (w.commitMicros() >= from && w.commitMicros() < to && w.origin().contains("client=")) {
                    records.merge(w.transactionKey(), w.recordIds().size(), Integer::sum);
                    kind.putIfAbsent(w.transactionKey(), w.changeType());
                }
            }
            records.forEach((tx, r) -> byKind.computeIfAbsent(kind.get(tx), k -> new ArrayList<>()).add(r));
            Map<String, Object> out = new LinkedHashMap<>();
            byKind.forEach((k, list) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("calls", list.size());
                m.put("records", list.stream().mapToInt(Integer::intValue).sum());
                m.put("meanRecordsPerCall", round(list.stream().mapToInt(Integer::intValue).average().orElse(0), 1));
                out.put(k, m);
            });
            return out;
        }
    }

    // =====================================================================================
    // (1) fixed rate

    private Map<String, Object> fixedRate(Flow f, PostgresBenchDriver.Drive offered, long windowStart, long windowEnd) {
        List<Long> latency = new ArrayList<>();
        List<Long> decode = new ArrayList<>();
        List<Long> handOver = new ArrayList<>();
        List<Long> delivery = new ArrayList<>();
        List<Long> queueing = new ArrayList<>();
        List<Long> batchWait = new ArrayList<>();
        List<Long> write = new ArrayList<>();
        List<Long> driverSeen = new ArrayList<>();
        long unmatched = 0;
        List<String> unmatchedExamples = new ArrayList<>();
        long collapsed = 0;
        long measured = 0;
        long noCommitTime = 0;
        for (int seq = (int) firstTimed; seq <= lastTimed; seq++) {
            if (f.collapsed[seq]) {
                collapsed++;
                continue;
            }
            if (f.visible[seq] == 0) {
                if (unmatched++ < 5) {
                    unmatchedExamples.add(f.explain(seq));
                }
                continue;
            }
            long commit = f.pgCommit[seq];
            if (commit == 0) {
                noCommitTime++;
                continue;
            }
            if (commit < windowStart || commit >= windowEnd) {
                continue; // warm-up
            }
            measured++;
            latency.add(f.visible[seq] - commit);
            driverSeen.add(f.visible[seq] - f.change[seq].committed());
            if (f.delivered[seq] > 0 && f.queued[seq] > 0 && f.claimed[seq] > 0) {
                delivery.add(f.delivered[seq] - commit);
                if (f.decoded[seq] > 0) {
                    decode.add(f.decoded[seq] - commit);
                    handOver.add(f.delivered[seq] - f.decoded[seq]);
                }
                queueing.add(f.queued[seq] - f.delivered[seq]);
                batchWait.add(f.claimed[seq] - f.queued[seq]);
                write.add(f.visible[seq] - f.claimed[seq]);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("offeredRate", rate > 0 ? rate : "max");
        out.put("windowSeconds", round((windowEnd - windowStart) / 1e6, 2));
        out.put("offeredChanges", offered.changes());
        out.put("transactions", offered.transactions());
        out.put("achievedOfferedRate", round(offered.rate(), 0));
        out.put("measuredChanges", measured);
        out.put("writtenToSalesforcePerSecondInWindow", round(f.visibleBetween(windowStart, windowEnd) / ((windowEnd - windowStart) / 1e6), 0));
        out.put("latencyMs", percentiles(latency));
        out.put("latencyFromDriverCommitAckMs", percentiles(driverSeen));
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("debeziumDeliveryMs", percentiles(delivery));
        where.put("debeziumReadFromSlotMs", percentiles(decode));
        where.put("debeziumHandOverMs", percentiles(handOver));
        where.put("queueFlushMs", percentiles(queueing));
        where.put("batchWaitMs", percentiles(batchWait));
        where.put("salesforceWriteMs", percentiles(write));
        where.put("note", "delivery: PostgreSQL commit -> the capture step; queue flush: -> row in sync.outbound_change"
                + " (captured_at); batch wait: -> claimed for a call (sending_at); Salesforce write: -> committed in the"
                + " emulator (includes the calls made before it in the same round)");
        out.put("breakdown", where);
        out.put("salesforceCalls", f.calls(windowStart, windowEnd));
        out.put("unmatchedChanges", unmatched);
        out.put("unmatchedExamples", unmatchedExamples);
        out.put("collapsedInsertDeleteChanges", collapsed);
        out.put("changesWithoutCommitTime", noCommitTime);
        out.put("commitLogMismatchedRows", f.pgCommitMismatches);
        out.put("queueMismatchedRows", f.queueMismatches);
        return out;
    }

    // =====================================================================================
    // (2) backlog

    private Map<String, Object> backlog(Flow f, PostgresBenchDriver.Drive written, long first, long last, long restart) {
        long firstDelivered = Long.MAX_VALUE;
        long lastDelivered = Long.MIN_VALUE;
        long lastQueued = Long.MIN_VALUE;
        long firstClaimed = Long.MAX_VALUE;
        long lastVisible = Long.MIN_VALUE;
        long unmatched = 0;
        List<String> unmatchedExamples = new ArrayList<>();
        long collapsed = 0;
        for (int seq = (int) first; seq <= last; seq++) {
            if (f.delivered[seq] > 0) {
                firstDelivered = Math.min(firstDelivered, f.delivered[seq]);
                lastDelivered = Math.max(lastDelivered, f.delivered[seq]);
            }
            lastQueued = Math.max(lastQueued, f.queued[seq]);
            if (f.claimed[seq] > 0) {
                firstClaimed = Math.min(firstClaimed, f.claimed[seq]);
            }
            if (f.collapsed[seq]) {
                collapsed++;
            } else if (f.visible[seq] == 0) {
                if (unmatched++ < 5) {
                    unmatchedExamples.add(f.explain(seq));
                }
            } else {
                lastVisible = Math.max(lastVisible, f.visible[seq]);
            }
        }
        long n = last - first + 1;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("changes", n);
        out.put("transactions", written.transactions());
        out.put("postgresWriteSeconds", round(written.seconds(), 2));
        out.put("postgresWriteChangesPerSecond", round(written.rate(), 0));
        out.put("restartToLastWriteSeconds", round((lastVisible - restart) / 1e6, 2));
        out.put("changesPerSecond", round(n / ((lastVisible - restart) / 1e6), 0));
        out.put("restartToFirstCaptureSeconds", round((firstDelivered - restart) / 1e6, 2));
        out.put("captureChangesPerSecond", round(n / ((lastDelivered - restart) / 1e6), 0));
        out.put("captureFirstToLastChangesPerSecond", round(n / ((lastDelivered - firstDelivered) / 1e6), 0));
        out.put("restartToLastQueuedSeconds", round((lastQueued - restart) / 1e6, 2));
        out.put("salesforceFirstClaimToLastWriteChangesPerSecond", round(n / ((lastVisible - firstClaimed) / 1e6), 0));
        out.put("salesforceCalls", f.calls(restart, Long.MAX_VALUE));
        out.put("unmatchedChanges", unmatched);
        out.put("unmatchedExamples", unmatchedExamples);
        out.put("collapsedInsertDeleteChanges", collapsed);
        out.put("queueMismatchedRows", f.queueMismatches);
        return out;
    }

    private void resetWriter(BenchSampler sampler) {
        sampler.reset();
        probe.resetWriterAccount();
    }

    /** The writer's share of the wall time spent in ticks that settled changes, and where its thread was then. */
    private Map<String, Object> writer(BenchSampler sampler, double wallSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        long[] account = probe.writerAccount();
        double busy = account[0] / 1e6;
        long rounds = account[1];
        out.put("busySeconds", round(busy, 2));
        out.put("busyShareOfWall", round(busy / wallSeconds, 3));
        out.put("ticksEndedThatWrote", rounds);
        out.put("meanTickMs", round(rounds == 0 ? 0 : busy * 1000 / rounds, 1));
        out.put("profile", sampler.report());
        return out;
    }

    // =====================================================================================
    // (3) API calls, (4) reference

    private Map<String, Object> apiCalls(Map<String, Long> before, Map<String, Long> after, long changes) {
        Map<String, Long> diff = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (d > 0 && (e.getKey().startsWith("rest.") || e.getKey().startsWith("bulk."))) {
                diff.put(e.getKey(), d);
                total += d;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiRequests", total);
        out.put("changes", changes);
        out.put("perThousandChanges", round(total * 1000.0 / Math.max(1, changes), 2));
        out.put("byEndpoint", diff);
        return out;
    }

    /**
     * The emulator's ceiling for the benchmark's mix: the same number of changes written by one
     * client with serial sObject Collections calls of 200 records over HTTP (creates, partial
     * updates, deletes; {@link BenchDriver} rounds of 10,000), after a seed of live records.
     */
    private Map<String, Object> reference(EmulatorHttp sf) {
        BenchDriver ref = new BenchDriver(sf, 7L);
        ref.seed(10_000);
        long calls = ref.calls;
        long start = System.nanoTime();
        long written = 0;
        while (written < referenceChanges) {
            written += ref.round((int) Math.min(10_000, referenceChanges - written));
        }
        double secs = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("what", "one client, serial sObject Collections calls of 200 records over HTTP (java.net.http), same mix");
        out.put("changes", written);
        out.put("calls", ref.calls - calls);
        out.put("seconds", round(secs, 2));
        out.put("changesPerSecond", round(written / secs, 0));
        out.put("callsPerThousandChanges", round((ref.calls - calls) * 1000.0 / written, 2));
        return out;
    }

    // =====================================================================================
    // (5) correctness

    private Map<String, Object> verify(Set<String> before) throws SQLException {
        ObjectDef account = org.schema().object("Account");
        Map<String, Map<String, Object>> records = new HashMap<>();
        for (Map<String, Object> r : org.store().all(account, false)) {
            if (!before.contains((String) r.get("Id"))) {
                records.put((String) r.get("Id"), r);
            }
        }
        Map<String, Map<String, Object>> rows = new HashMap<>();
        long rowsWithoutRecord = 0;
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, sfid, name, industry, annual_revenue, employees, billing_city FROM " + TABLE)) {
            while (rs.next()) {
                String sfid = rs.getString(2);
                if (sfid == null || !records.containsKey(sfid)) {
                    rowsWithoutRecord++;
                    continue;
                }
                Map<String, Object> row = new HashMap<>();
                row.put("Name", rs.getString(3));
                row.put("Industry", rs.getString(4));
                row.put("AnnualRevenue", rs.getBigDecimal(5));
                row.put("NumberOfEmployees", rs.getObject(6));
                row.put("BillingCity", rs.getString(7));
                rows.put(sfid, row);
            }
        }
        long recordsWithoutRow = records.keySet().stream().filter(id -> !rows.containsKey(id)).count();
        List<String> ids = new ArrayList<>(rows.keySet());
        Collections.sort(ids);
        Collections.shuffle(ids, new Random(7));
        int samples = Math.min(ids.size(), Integer.getInteger("bench.samples", 1000));
        long mismatched = 0;
        List<String> examples = new ArrayList<>();
        for (String id : ids.subList(0, samples)) {
            for (String f : PostgresBenchDriver.FIELDS) {
                if (!BenchStats.same(records.get(id).get(f), rows.get(id).get(f))) {
                    mismatched++;
                    if (examples.size() < 5) {
                        examples.add(id + "." + f + ": emulator " + records.get(id).get(f) + ", postgres " + rows.get(id).get(f));
                    }
                    break;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("postgresRows", scalar("SELECT count(*) FROM " + TABLE));
        out.put("emulatorRecords", records.size());
        out.put("rowsWithoutRecord", rowsWithoutRecord);
        out.put("recordsWithoutRow", recordsWithoutRow);
        out.put("sampledRows", samples);
        out.put("mismatchedSamples", mismatched);
        out.put("mismatchExamples", examples);
        out.put("failedChanges", scalar("SELECT count(*) FROM sync.outbound_change WHERE mapping = '" + MAPPING
                + "' AND status = 'failed'"));
        out.put("deadLetters", scalar("SELECT count(*) FROM sync.dead_letter WHERE mapping = '" + MAPPING + "'"));
        return out;
    }

    // =====================================================================================
    // helpers

    /** Waits until every change the driver committed is queued and settled (sent or failed). */
    private void awaitDrained(String what) {
        long t = System.nanoTime();
        long expected = driver.seq;
        await(what + ": " + expected + " changes queued and settled").atMost(Duration.ofSeconds(drainTimeoutSeconds))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                            "SELECT count(*), count(*) FILTER (WHERE status IN ('pending', 'sending')) FROM sync.outbound_change"
                                    + " WHERE mapping = ?")) {
                        ps.setString(1, MAPPING);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getLong(1) >= expected && rs.getLong(2) == 0;
                        }
                    }
                });
        System.out.printf("[bench] %s: all %d changes settled (%.1f s after the last commit)%n", what, expected,
                (System.nanoTime() - t) / 1e9);
    }

    private Set<String> liveAccountIds() {
        Set<String> ids = new HashSet<>();
        org.store().all(org.schema().object("Account"), false).forEach(r -> ids.add((String) r.get("Id")));
        return ids;
    }

    private long postmasterPid() {
        try {
            String pid = scalarText("SELECT pg_backend_pid()::text");
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (Exception e) {
            return -1; // no /proc: PostgreSQL's CPU is left out
        }
    }

    private Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("rate", rate > 0 ? rate : "max");
        p.put("seconds", seconds);
        p.put("warmupSeconds", warmupSeconds);
        p.put("tickMillis", tickMillis);
        p.put("rowsPerTransaction", txRows);
        p.put("driverSynchronousCommit", synchronousCommit);
        p.put("seedRows", seedRows);
        p.put("backlog", backlog);
        p.put("referenceChanges", referenceChanges);
        p.put("batchSize", config.outbound().batchSize());
        p.put("batchMaxWaitMillis", config.outbound().batchMaxWaitMillis());
        p.put("mix", Map.of("insert", 0.2, "partialUpdate", 0.7, "delete", 0.1));
        p.put("driver", "JDBC, own connection, one multi-row INSERT, batched UPDATEs by column set, one DELETE per transaction");
        p.put("table", TABLE + " (id bigint identity PK; sfid text unique; name, industry, billing_city text;"
                + " annual_revenue numeric; employees int; REPLICA IDENTITY FULL)");
        p.put("latency", "commit in the emulator (CDC commitTimestamp of the write carrying the change) - commit in"
                + " PostgreSQL (deferred constraint trigger, clock_timestamp() at commit)");
        return p;
    }

    private Map<String, Object> ratios(Map<String, Object> fixed, Map<String, Object> drained, Map<String, Object> reference) {
        Map<String, Object> r = new LinkedHashMap<>();
        double ceiling = ((Number) reference.get("changesPerSecond")).doubleValue();
        if (drained != null) {
            double e2e = ((Number) drained.get("changesPerSecond")).doubleValue();
            r.put("backlogChangesPerSecondOverEmulatorCeiling", round(e2e / ceiling, 3));
            r.put("backlogChangesPerSecondOverPostgresWriteRate",
                    round(e2e / ((Number) drained.get("postgresWriteChangesPerSecond")).doubleValue(), 3));
            r.put("captureRateOverPostgresWriteRate", round(((Number) drained.get("captureChangesPerSecond")).doubleValue()
                    / ((Number) drained.get("postgresWriteChangesPerSecond")).doubleValue(), 3));
            r.put("apiCallsOverReference", round(perThousand(drained) / ((Number) reference.get("callsPerThousandChanges")).doubleValue(), 3));
        }
        r.put("fixedRateApiCallsOverReference", round(perThousand(fixed) / ((Number) reference.get("callsPerThousandChanges")).doubleValue(), 3));
        return r;
    }

    @SuppressWarnings("unchecked")
    private static double perThousand(Map<String, Object> phase) {
        return ((Number) ((Map<String, Object>) phase.get("apiCalls")).get("perThousandChanges")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> targets(Map<String, Object> fixed, Map<String, Object> drained) {
        Map<String, Object> t = new LinkedHashMap<>();
        if (drained != null) {
            double sustained = ((Number) drained.get("changesPerSecond")).doubleValue();
            t.put("sustainedChangesPerSecond", Map.of("target", TARGET_SUSTAINED, "measured", sustained,
                    "met", sustained >= TARGET_SUSTAINED));
            t.put("apiCallsPerThousandBacklog", Map.of("target", TARGET_CALLS_PER_THOUSAND, "measured", perThousand(drained),
                    "met", perThousand(drained) <= TARGET_CALLS_PER_THOUSAND));
        }
        Object p99 = ((Map<String, Object>) fixed.get("latencyMs")).get("p99");
        if (rate == TARGET_P99_RATE && p99 != null) {
            t.put("p99MsAt1000ChangesPerSecond", Map.of("target", TARGET_P99_MS, "measured", p99,
                    "met", ((Number) p99).doubleValue() <= TARGET_P99_MS));
        }
        t.put("apiCallsPerThousandFixedRate", Map.of("target", TARGET_CALLS_PER_THOUSAND, "measured", perThousand(fixed),
                "met", perThousand(fixed) <= TARGET_CALLS_PER_THOUSAND));
        return t;
    }

    @SuppressWarnings("unchecked")
    private static String summary(Map<String, Object> report) {
        Map<String, Object> f = (Map<String, Object>) report.get("fixedRate");
        Map<String, Object> lat = (Map<String, Object>) f.get("latencyMs");
        Map<String, Object> br = (Map<String, Object>) f.get("breakdown");
        Map<String, Object> b = (Map<String, Object>) report.get("backlog");
        Map<String, Object> ref = (Map<String, Object>) report.get("reference");
        Map<String, Object> r = (Map<String, Object>) report.get("ratios");
        Map<String, Object> p = (Map<String, Object>) report.get("parameters");
        Map<String, Object> m = (Map<String, Object>) report.get("machine");
        StringBuilder out = new StringBuilder();
        String row = "  %-50s %18s   %s%n";
        out.append(String.format("%n==== Sluice benchmark: PostgreSQL -> Salesforce (%s cores, %s) ====%n", m.get("cores"), m.get("jvm")));
        out.append(String.format("  batch-size %s, batch-max-wait %s ms, %s rows per transaction; load average %s at start, %s at end%n",
                p.get("batchSize"), p.get("batchMaxWaitMillis"), p.get("rowsPerTransaction"), m.get("loadAverageAtStart"),
                m.get("loadAverageAtEnd")));
        out.append(String.format(row, "figure", "measured", "reference / target (same run)"));
        out.append(String.format(row, "fixed rate: offered changes/s", f.get("achievedOfferedRate"), "asked " + f.get("offeredRate")));
        out.append(String.format(row, "fixed rate: changes measured", f.get("measuredChanges"),
                f.get("transactions") + " transactions"));
        out.append(String.format(row, "fixed rate: changes/s reaching Salesforce", f.get("writtenToSalesforcePerSecondInWindow"),
                "during the window"));
        out.append(String.format(row, "fixed rate: driver transactions retried", f.get("driverDeadlockRetries"),
                "deadlock victims (row locks crossing Sluice's Id write-back)"));
        out.append(String.format(row, "latency p50 / p95 ms", lat.get("p50") + " / " + lat.get("p95"), ""));
        out.append(String.format(row, "latency p99 / max ms", lat.get("p99") + " / " + lat.get("max"),
                "target p99 <= 1000 ms at 1,000/s"));
        out.append(String.format(row, "  where: Debezium delivery p50 / p99 ms", BenchStats.p50p99(br.get("debeziumDeliveryMs")),
                "PostgreSQL commit -> capture step"));
        out.append(String.format(row, "    of which: read from the slot", BenchStats.p50p99(br.get("debeziumReadFromSlotMs")),
                "-> Debezium's connector processed it (event ts_ms)"));
        out.append(String.format(row, "    of which: handed over to the route", BenchStats.p50p99(br.get("debeziumHandOverMs")),
                "-> the capture step"));
        out.append(String.format(row, "  where: queue flush p50 / p99 ms", BenchStats.p50p99(br.get("queueFlushMs")),
                "-> row in sync.outbound_change"));
        out.append(String.format(row, "  where: batch wait p50 / p99 ms", BenchStats.p50p99(br.get("batchWaitMs")),
                "-> claimed for a call"));
        out.append(String.format(row, "  where: Salesforce write p50 / p99 ms", BenchStats.p50p99(br.get("salesforceWriteMs")),
                "-> committed in the emulator"));
        out.append(String.format(row, "fixed rate: API calls / 1,000 changes", perThousand(f),
                "target <= 6; reference " + ref.get("callsPerThousandChanges")));
        if (b != null) {
            out.append(String.format(row, "backlog: changes (transactions)", b.get("changes") + " (" + b.get("transactions") + ")",
                    "written to PostgreSQL at " + b.get("postgresWriteChangesPerSecond") + "/s"));
            out.append(String.format(row, "backlog: changes/s restart -> last write", b.get("changesPerSecond"),
                    "target >= 5,000; emulator ceiling " + ref.get("changesPerSecond") + "/s (ratio "
                            + r.get("backlogChangesPerSecondOverEmulatorCeiling") + ")"));
            out.append(String.format(row, "backlog: capture changes/s restart -> last", b.get("captureChangesPerSecond"),
                    "ratio to PostgreSQL write rate " + r.get("captureRateOverPostgresWriteRate")));
            out.append(String.format(row, "backlog: Salesforce side changes/s", b.get("salesforceFirstClaimToLastWriteChangesPerSecond"),
                    "first claim -> last write"));
            out.append(String.format(row, "backlog: API calls / 1,000 changes", perThousand(b),
                    "target <= 6; reference " + ref.get("callsPerThousandChanges")));
        }
        out.append(String.format(row, "reference: emulator changes/s (" + ref.get("changes") + ")", ref.get("changesPerSecond"),
                ref.get("calls") + " serial calls of <= 200 records"));
        for (Map<String, Object> phase : b == null ? List.of(f) : List.of(f, b)) {
            Map<String, Object> c = (Map<String, Object>) phase.get("cpu");
            out.append(String.format("  CPU (%s): %s s over %s s wall on %s cores:%n", phase == f ? "fixed-rate window" : "backlog drain",
                    c.get("cpuSeconds"), c.get("wallSeconds"), c.get("cores")));
            ((Map<String, Object>) c.get("cpuSecondsByGroup")).entrySet().stream().limit(6).forEach(e ->
                    out.append(String.format("    %6s s  %s%n", e.getValue(), e.getKey())));
            Map<String, Object> w = (Map<String, Object>) phase.get("writer");
            Map<String, Object> prof = (Map<String, Object>) w.get("profile");
            out.append(String.format("  writer (%s): busy %s s (%s of wall), %s ticks that wrote, mean %s ms; its thread (%s samples):%n",
                    phase == f ? "fixed-rate window" : "backlog drain", w.get("busySeconds"), w.get("busyShareOfWall"),
                    w.get("ticksEndedThatWrote"), w.get("meanTickMs"), prof.get("samples")));
            ((Map<String, Object>) prof.get("percentByKind")).forEach((kind, pct) ->
                    out.append(String.format("    %5s%%  %s%n", pct, kind)));
            ((Map<String, Object>) prof.get("percentBySite")).entrySet().stream().limit(6).forEach(e ->
                    out.append(String.format("    %5s%%  %s%n", e.getValue(), e.getKey())));
        }
        Map<String, Object> k = (Map<String, Object>) report.get("correctness");
        out.append(String.format(row, "correctness: rows / emulator records", k.get("postgresRows") + " / " + k.get("emulatorRecords"),
                "rows without record " + k.get("rowsWithoutRecord") + ", records without row " + k.get("recordsWithoutRow")
                        + ", sampled mismatches " + k.get("mismatchedSamples") + ", failed " + k.get("failedChanges")));
        return out.toString();
    }

    /** A numeric -D option; a value that is not a non-negative number is refused naming the option. */
    private static double number(String property, String defaultValue) {
        String v = System.getProperty(property, defaultValue);
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && !Double.isInfinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + property + "=" + v + ": expected a non-negative number"
                + (property.equals("bench.rate") ? " or max" : ""));
    }

    private void sql(String... statements) {
        BenchStats.sql(db, statements);
    }

    private long scalar(String sql) {
        return BenchStats.scalar(db, sql);
    }

    private String scalarText(String sql) {
        return BenchStats.text(db, sql);
    }
}
