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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import sync.config.SyncConfig;
import sync.flow.SyncEngine;
import sync.staging.NdJson;
import sync.staging.StagedEvent;
import sync.staging.StagingArea;
import sync.testing.EmulatorResource;

import javax.sql.DataSource;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
import static bench.BenchStats.same;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Salesforce -> PostgreSQL benchmark (issue 3, DESIGN.md section 8). Runs only on demand:
 * {@code ./mvnw -Pbench test [-Dbench.rate=1000|max] [-Dbench.seconds=30] ...}; the default
 * build excludes the {@code benchmark} tag. In one run it measures
 * <ol>
 * <li><b>fixed rate</b>: changes offered to the emulator at {@code bench.rate}/s over HTTP
 * (sObject Collections, ~20% creates, ~70% partial updates, ~10% deletes) for
 * {@code bench.seconds} after {@code bench.warmup-seconds} of warm-up; per change, end-to-end
 * latency = time its row change commits in PostgreSQL (a deferred constraint trigger, created
 * by the benchmark, logs {@code clock_timestamp()} at commit for every row written) minus the
 * CDC {@code commitTimestamp}; p50/p95/p99/max, with where the time goes (CometD delivery,
 * batching wait, stage + apply);</li>
 * <li><b>backlog</b>: the streams stopped, {@code bench.backlog} changes (same mix) written as
 * fast as the emulator takes them, the streams started again: changes/s from the first batch
 * entering stage-and-apply to the last commit, and from restart to the last commit;</li>
 * <li><b>reference</b>: a raw {@code COPY} of the table's rows (same columns and shape, a copy
 * table) through the JDBC CopyManager, and the ratio apply/COPY;</li>
 * <li>the Salesforce API calls the driver made (informational).</li>
 * </ol>
 * Prints a summary and writes {@code target/bench/salesforce-to-postgres.json}. Asserts only
 * that every change landed (no timing assertion: the machine is shared and noisy).
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchProfile.class)
class SalesforceToPostgresBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path OUTPUT = Path.of("target", "bench", "salesforce-to-postgres.json");
    private static final String VISIBLE_TRIGGER = "bench_visible";
    private static final double TARGET_SUSTAINED = 5_000;
    private static final double TARGET_P99_MS = 1_000;
    private static final double TARGET_P99_RATE = 1_000;

    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    StagingArea staging;
    @Inject
    CamelContext camel;
    @Inject
    SyncConfig config;

    private final String rateArg = System.getProperty("bench.rate", "1000");
    private final double rate = "max".equalsIgnoreCase(rateArg) ? 0 : Double.parseDouble(rateArg);
    private final double seconds = Double.parseDouble(System.getProperty("bench.seconds", "30"));
    private final double warmupSeconds = Double.parseDouble(System.getProperty("bench.warmup-seconds", "5"));
    private final long tickMillis = Long.parseLong(System.getProperty("bench.tick-millis", "20"));
    private final int seedRecords = Integer.parseInt(System.getProperty("bench.seed-records", "5000"));
    private final int backlog = Integer.parseInt(System.getProperty("bench.backlog", "50000"));
    private final long drainTimeoutSeconds = Long.parseLong(System.getProperty("bench.drain-timeout-seconds", "600"));

    private SalesforceEmulator org;
    private BenchProbe probe;

    @Test
    void benchmark() throws Exception {
        org = EmulatorResource.emulator();
        await().atMost(Duration.ofSeconds(120)).until(() -> engine.state() == SyncEngine.State.RUNNING
                && engine.streams().containsKey(BenchProfile.MAPPING)
                && engine.resyncs().jobs(BenchProfile.MAPPING).stream().allMatch(j -> "done".equals(j.get("status"))));
        EmulatorHttp sf = new EmulatorHttp(org);
        sf.login();

        // Instrument: the bus listener sees every published event; the intercept strategy wraps
        // the route's steps once the route is added again (a restart from the stored position).
        probe = new BenchProbe(BenchProfile.MAPPING);
        org.bus().addListener(probe);
        camel.getCamelContextExtension().addInterceptStrategy(probe);
        engine.stopStreams();
        engine.startStreams();
        sql("DROP SCHEMA IF EXISTS bench CASCADE", "CREATE SCHEMA bench",
                "CREATE UNLOGGED TABLE bench.visible (sfid text NOT NULL, op \"char\" NOT NULL, last_modified timestamptz,"
                        + " at timestamptz NOT NULL)",
                """
                CREATE FUNCTION bench.log_visible() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN
                    INSERT INTO bench.visible VALUES (OLD.sfid, 'D', OLD.last_modified, clock_timestamp());
                  ELSE
                    INSERT INTO bench.visible VALUES (NEW.sfid, left(TG_OP, 1)::"char", NEW.last_modified, clock_timestamp());
                  END IF;
                  RETURN NULL;
                END $$""");

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "salesforce-to-postgres");
        report.put("date", Instant.now().toString());
        report.put("machine", BenchStats.machine(db));
        report.put("parameters", parameters());

        BenchDriver driver = new BenchDriver(sf, Long.getLong("bench.seed", 42L));
        probe.recording = true;
        driver.seed(seedRecords);
        awaitApplied(lastPublished(), "seed");
        System.out.printf("%n[bench] seeded %d Account records%n", seedRecords);

        // ---- (a) fixed offered rate, per-change latency
        sql("CREATE CONSTRAINT TRIGGER " + VISIBLE_TRIGGER + " AFTER INSERT OR UPDATE OR DELETE ON " + BenchProfile.TABLE
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bench.log_visible()");
        probe.clear();
        BenchSampler sampler = new BenchSampler(probe, Long.getLong("bench.sample-micros", 2000L));
        System.out.printf("[bench] fixed rate: %s changes/s, %.0f s warm-up + %.0f s measured%n",
                rate > 0 ? String.valueOf(rate) : "max", warmupSeconds, seconds);
        driver.drive(rate, warmupSeconds, tickMillis, 1000);
        sampler.reset();
        Map<String, Long> countersBefore = org.counters().snapshot();
        long windowStart = BenchProbe.nowMicros();
        BenchDriver.Drive offered = driver.drive(rate, seconds, tickMillis, 1000);
        long windowEnd = BenchProbe.nowMicros();
        Map<String, Long> countersAfter = org.counters().snapshot();
        awaitApplied(lastPublished(), "fixed-rate phase");
        sql("DROP TRIGGER " + VISIBLE_TRIGGER + " ON " + BenchProfile.TABLE);
        Map<String, Object> fixed = fixedRate(offered, windowStart, windowEnd);
        fixed.put("apiCalls", apiCalls(countersBefore, countersAfter, offered));
        fixed.put("applyThreads", new TreeMap<>(probe.applyThreads));
        fixed.put("stageAndApplyProfile", sampler.report());
        report.put("fixedRate", fixed);
        Map<String, Object> stagingProbe = stagingProbe();

        // ---- (b) backlog: written while the streams are stopped, then drained
        Map<String, Object> drained = null;
        if (backlog > 0) {
            probe.clear();
            engine.stopStreams();
            sampler.reset();
            countersBefore = org.counters().snapshot();
            long preloadStart = System.nanoTime();
            long callsBefore = driver.calls;
            long written = 0;
            while (written < backlog) {
                written += driver.round((int) Math.min(1000, backlog - written));
            }
            double preloadSeconds = (System.nanoTime() - preloadStart) / 1e9;
            countersAfter = org.counters().snapshot();
            long last = lastPublished();
            System.out.printf("[bench] backlog: %d changes written in %.1f s with the streams stopped; draining%n",
                    written, preloadSeconds);
            long restart = BenchProbe.nowMicros();
            engine.startStreams();
            awaitApplied(last, "backlog");
            drained = backlog(restart, preloadSeconds, new BenchDriver.Drive(written, preloadSeconds, driver.calls - callsBefore));
            drained.put("apiCalls", apiCalls(countersBefore, countersAfter,
                    new BenchDriver.Drive(written, preloadSeconds, driver.calls - callsBefore)));
            drained.put("applyThreads", new TreeMap<>(probe.applyThreads));
            drained.put("stageAndApplyProfile", sampler.report());
            report.put("backlog", drained);
        }
        probe.recording = false;
        sampler.close();

        // ---- (c) reference: raw COPY of the same rows into a table of the same shape
        Map<String, Object> copy = copyReference();
        report.put("copy", copy);
        report.put("stagingProbe", stagingProbe);
        report.put("ratios", ratios(fixed, drained, copy));
        report.put("targets", targets(fixed, drained));

        report.put("diagnostics", diagnostics());

        // ---- correctness: the table equals the emulator's records
        Map<String, Object> check = verify();
        report.put("correctness", check);

        Files.createDirectories(OUTPUT.getParent());
        JSON.writeValue(OUTPUT.toFile(), report);
        System.out.println(summary(report));
        System.out.println("[bench] JSON written to " + OUTPUT.toAbsolutePath());

        assertThat((Long) fixed.get("unmatchedChanges")).as("changes of the fixed-rate phase never seen in PostgreSQL").isZero();
        assertThat((Long) check.get("missingRows")).as("records missing in PostgreSQL").isZero();
        assertThat((Long) check.get("extraRows")).as("rows PostgreSQL has but the emulator does not").isZero();
        assertThat((Long) check.get("mismatchedSamples")).as("sampled rows differing from the emulator").isZero();
    }

    // =====================================================================================
    // (a) fixed rate

    private Map<String, Object> fixedRate(BenchDriver.Drive offered, long windowStart, long windowEnd) throws SQLException {
        Map<String, List<long[]>> visible = loadVisible(); // sfid -> [op, lastModifiedMicros, atMicros], by at
        List<BenchProbe.Batch> batches = probe.appliedBatches();
        List<Long> latency = new ArrayList<>();
        List<Long> delivery = new ArrayList<>();
        List<Long> batchWait = new ArrayList<>();
        List<Long> stageApply = new ArrayList<>();
        long unmatched = 0;
        long changes = 0;
        long events = 0;
        long firstVisible = Long.MAX_VALUE;
        long lastVisible = Long.MIN_VALUE;
        Set<BenchProbe.Batch> windowBatches = new HashSet<>();
        long collapsed = 0;
        Set<String> deleted = new HashSet<>();
        for (BenchProbe.Published p : probe.published) {
            if (p.changeType().equals("DELETE")) {
                deleted.addAll(p.recordIds());
            }
        }
        for (BenchProbe.Published p : probe.published) {
            long commit = p.commitMillis() * 1000;
            boolean inWindow = commit >= windowStart && commit < windowEnd;
            if (inWindow) {
                events++;
            }
            for (String id : p.recordIds()) {
                Long at = visibleAt(visible.get(id), p.changeType(), commit);
                if (at == null) {
                    // created and deleted within one batch: merged into no write at all (checked by verify())
                    if (visible.get(id) == null && deleted.contains(id)) {
                        collapsed++;
                    } else {
                        unmatched++;
                    }
                    continue;
                }
                if (!inWindow) {
                    continue;
                }
                changes++;
                latency.add(at - commit);
                firstVisible = Math.min(firstVisible, at);
                lastVisible = Math.max(lastVisible, at);
                Long received = probe.receivedMicros.get(p.replayId());
                BenchProbe.Batch b = BenchProbe.find(batches, p.replayId());
                if (received != null && b != null) {
                    delivery.add(received - commit);
                    batchWait.add(b.startMicros() - received);
                    stageApply.add(b.endMicros() - b.startMicros());
                    windowBatches.add(b);
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("offeredRate", rate > 0 ? rate : "max");
        out.put("windowSeconds", round((windowEnd - windowStart) / 1e6, 2));
        out.put("offeredChanges", offered.changes());
        out.put("achievedOfferedRate", round(offered.rate(), 0));
        out.put("changes", changes);
        out.put("events", events);
        out.put("appliedRate", round(changes / Math.max(1e-9, (lastVisible - firstVisible) / 1e6), 0));
        out.put("latencyMs", percentiles(latency));
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("deliveryMs", percentiles(delivery));
        where.put("batchWaitMs", percentiles(batchWait));
        where.put("stageAndApplyMs", percentiles(stageApply));
        out.put("breakdown", where);
        out.put("batches", batchStats(new ArrayList<>(windowBatches)));
        out.put("unmatchedChanges", unmatched);
        out.put("collapsedCreateDeleteChanges", collapsed);
        return out;
    }

    /** When a change became visible: the first write of its record carrying it, or the record's delete. */
    private static Long visibleAt(List<long[]> writes, String changeType, long commitMicros) {
        if (writes == null) {
            return null;
        }
        Long delete = null;
        for (long[] w : writes) {
            if (w[0] == 'D') {
                if (delete == null) {
                    delete = w[2];
                }
            } else if (!changeType.equals("DELETE") && w[1] >= commitMicros) {
                return w[2];
            }
        }
        return delete;
    }

    private Map<String, List<long[]>> loadVisible() throws SQLException {
        Map<String, List<long[]>> out = new HashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sfid, op, (extract(epoch FROM last_modified) * 1000000)::int8,"
                     + " (extract(epoch FROM at) * 1000000)::int8 FROM bench.visible ORDER BY at")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>(2))
                        .add(new long[]{rs.getString(2).charAt(0), rs.getLong(3), rs.getLong(4)});
            }
        }
        return out;
    }

    // =====================================================================================
    // (b) backlog

    private Map<String, Object> backlog(long restartMicros, double preloadSeconds, BenchDriver.Drive preload) {
        long changes = 0;
        long events = 0;
        for (BenchProbe.Published p : probe.published) {
            events++;
            changes += p.recordIds().size();
        }
        List<BenchProbe.Batch> batches = probe.appliedBatches();
        long firstStart = Long.MAX_VALUE;
        long firstEnd = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        long busy = 0;
        for (BenchProbe.Batch b : batches) {
            firstStart = Math.min(firstStart, b.startMicros());
            firstEnd = Math.min(firstEnd, b.endMicros());
            lastEnd = Math.max(lastEnd, b.endMicros());
            busy += b.endMicros() - b.startMicros();
        }
        long firstReceived = Long.MAX_VALUE;
        long lastReceived = Long.MIN_VALUE;
        for (long r : probe.receivedMicros.values()) {
            firstReceived = Math.min(firstReceived, r);
            lastReceived = Math.max(lastReceived, r);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("changes", changes);
        out.put("events", events);
        out.put("preloadSeconds", round(preloadSeconds, 2));
        out.put("preloadRate", round(preload.rate(), 0));
        out.put("firstToLastCommitSeconds", round((lastEnd - firstStart) / 1e6, 2));
        out.put("changesPerSecond", round(changes / ((lastEnd - firstStart) / 1e6), 0));
        out.put("restartToLastCommitSeconds", round((lastEnd - restartMicros) / 1e6, 2));
        out.put("drainChangesPerSecond", round(changes / ((lastEnd - restartMicros) / 1e6), 0));
        out.put("restartToFirstReceivedSeconds", round((firstReceived - restartMicros) / 1e6, 2));
        out.put("receivedSpanSeconds", round((lastReceived - firstReceived) / 1e6, 2));
        out.put("stageAndApplyBusySeconds", round(busy / 1e6, 2));
        out.put("stageAndApplyBusyChangesPerSecond", round(changes / (busy / 1e6), 0));
        out.put("batches", batchStats(batches));
        return out;
    }

    // =====================================================================================
    // (c) COPY reference

    private Map<String, Object> copyReference() throws SQLException, java.io.IOException {
        sql("CREATE TABLE bench.copy_account (LIKE " + BenchProfile.TABLE + " INCLUDING ALL)");
        String csv;
        try (Connection c = db.getConnection()) {
            StringWriter w = new StringWriter();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + BenchProfile.TABLE + " TO STDOUT (FORMAT csv)", w);
            csv = w.toString();
        }
        List<String> lines = Arrays.asList(csv.split("\n"));
        int rows = lines.size();
        int chunk = config.apply().batchSize();
        List<Double> single = new ArrayList<>();
        List<Double> chunked = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            sql("TRUNCATE bench.copy_account");
            try (Connection c = db.getConnection()) {
                long t = System.nanoTime();
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench.copy_account FROM STDIN (FORMAT csv)",
                        new StringReader(csv));
                single.add(rows / ((System.nanoTime() - t) / 1e9));
            }
            sql("TRUNCATE bench.copy_account");
            try (Connection c = db.getConnection()) {
                long t = System.nanoTime();
                for (int i = 0; i < rows; i += chunk) {
                    String part = String.join("\n", lines.subList(i, Math.min(rows, i + chunk))) + "\n";
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench.copy_account FROM STDIN (FORMAT csv)",
                            new StringReader(part));
                }
                chunked.add(rows / ((System.nanoTime() - t) / 1e9));
            }
        }
        Collections.sort(single);
        Collections.sort(chunked);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("table", "bench.copy_account (LIKE " + BenchProfile.TABLE + " INCLUDING ALL)");
        out.put("rowsPerSecond", round(single.get(1), 0));
        out.put("runsRowsPerSecond", single.stream().map(v -> round(v, 0)).toList());
        out.put("chunkRows", chunk);
        out.put("chunkedRowsPerSecond", round(chunked.get(1), 0));
        return out;
    }

    /** Times the staging step alone: the route's own batches written again under a probe prefix. */
    private Map<String, Object> stagingProbe() {
        List<Long> micros = new ArrayList<>();
        long bytes = 0;
        long events = 0;
        int i = 0;
        for (List<StagedEvent> batch : new ArrayList<>(probe.sampleBatches)) {
            long t = BenchProbe.nowMicros();
            byte[] content = NdJson.encode(batch);
            staging.put("bench-probe/" + ProcessHandle.current().pid() + "-" + (i++) + ".ndjson", content);
            micros.add(BenchProbe.nowMicros() - t);
            bytes += content.length;
            events += batch.size();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("staging", BenchProfile.s3() ? "s3 (s3proxy)" : config.staging().uri());
        out.put("batches", micros.size());
        out.put("meanEventsPerBatch", micros.isEmpty() ? 0 : round((double) events / micros.size(), 1));
        out.put("meanBytesPerBatch", micros.isEmpty() ? 0 : bytes / micros.size());
        out.put("encodeAndPutMs", percentiles(micros));
        return out;
    }

    /**
     * The plans of the apply's per-batch statements that dominate the profile (the ordering
     * guard's read of sync.record_state), for 500 real Ids: as planned for literal values and
     * as a generic plan (what a server-prepared statement may switch to after 5 executions),
     * plus the table statistics.
     */
    private Map<String, Object> diagnostics() {
        Map<String, Object> out = new LinkedHashMap<>();
        String load = "SELECT sfid, salesforce_commit_at, salesforce_position FROM sync.record_state WHERE mapping = $1 AND sfid = ANY($2)";
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT sfid FROM " + BenchProfile.TABLE + " ORDER BY random() LIMIT 500")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            String array = "ARRAY['" + String.join("','", ids) + "']::text[]";
            out.put("recordStateLoadPlan", plan(st, "EXPLAIN (ANALYZE, BUFFERS) " + load.replace("$1", "'" + BenchProfile.MAPPING + "'")
                    .replace("$2", array)));
            st.execute("PREPARE bench_load(text, text[]) AS " + load);
            st.execute("SET plan_cache_mode = force_generic_plan");
            out.put("recordStateLoadGenericPlan", plan(st, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_load('" + BenchProfile.MAPPING
                    + "', " + array + ")"));
            st.execute("RESET plan_cache_mode");
            st.execute("DEALLOCATE bench_load");
            // the same read through JDBC as OrderingGuard.load binds it, at rest, 20 times
            List<Long> micros = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(load.replace("$1", "?").replace("$2", "?"))) {
                for (int run = 0; run < 20; run++) {
                    Collections.shuffle(ids, new Random(run));
                    long t = BenchProbe.nowMicros();
                    ps.setString(1, BenchProfile.MAPPING);
                    ps.setArray(2, c.createArrayOf("text", ids.toArray(new String[0])));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                    micros.add(BenchProbe.nowMicros() - t);
                }
            }
            out.put("recordStateLoadJdbcMsAtRest", percentiles(micros));
            List<String> stats = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT schemaname || '.' || relname, n_live_tup, n_dead_tup, n_tup_hot_upd, n_tup_upd,"
                    + " last_autovacuum, last_autoanalyze FROM pg_stat_user_tables WHERE relname IN ('record_state', 'bench_account')")) {
                while (rs.next()) {
                    stats.add(rs.getString(1) + ": live " + rs.getLong(2) + ", dead " + rs.getLong(3) + ", hot updates "
                            + rs.getLong(4) + "/" + rs.getLong(5) + ", last autovacuum " + rs.getString(6) + ", last autoanalyze "
                            + rs.getString(7));
                }
            }
            out.put("tableStats", stats);
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = 'sync' AND tablename = 'record_state'")) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            out.put("recordStateIndexes", indexes);
        } catch (SQLException e) {
            out.put("error", e.getMessage());
        }
        return out;
    }

    private static List<String> plan(Statement st, String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return lines;
    }

    // =====================================================================================
    // correctness

    private Map<String, Object> verify() throws SQLException {
        ObjectDef account = org.schema().object("Account");
        Map<String, Map<String, Object>> expected = new HashMap<>();
        for (Map<String, Object> r : org.store().all(account, false)) {
            expected.put((String) r.get("Id"), r);
        }
        Map<String, Map<String, Object>> actual = new HashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sfid, name, industry, annual_revenue, employees, billing_city, last_modified FROM "
                     + BenchProfile.TABLE)) {
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                row.put("Name", rs.getString(2));
                row.put("Industry", rs.getString(3));
                row.put("AnnualRevenue", rs.getBigDecimal(4));
                row.put("NumberOfEmployees", rs.getObject(5));
                row.put("BillingCity", rs.getString(6));
                OffsetDateTime lm = rs.getObject(7, OffsetDateTime.class);
                row.put("LastModifiedDate", lm == null ? null : lm.toInstant());
                actual.put(rs.getString(1), row);
            }
        }
        long missing = expected.keySet().stream().filter(id -> !actual.containsKey(id)).count();
        long extra = actual.keySet().stream().filter(id -> !expected.containsKey(id)).count();
        List<String> ids = new ArrayList<>(expected.keySet());
        Collections.sort(ids);
        Collections.shuffle(ids, new Random(7));
        int samples = Math.min(ids.size(), Integer.getInteger("bench.samples", 1000));
        long mismatched = 0;
        List<String> examples = new ArrayList<>();
        for (String id : ids.subList(0, samples)) {
            Map<String, Object> row = actual.get(id);
            if (row == null) {
                continue;
            }
            for (String f : List.of("Name", "Industry", "AnnualRevenue", "NumberOfEmployees", "BillingCity", "LastModifiedDate")) {
                if (!same(expected.get(id).get(f), row.get(f))) {
                    mismatched++;
                    if (examples.size() < 5) {
                        examples.add(id + "." + f + ": emulator " + expected.get(id).get(f) + ", postgres " + row.get(f));
                    }
                    break;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("emulatorRecords", expected.size());
        out.put("postgresRows", actual.size());
        out.put("missingRows", missing);
        out.put("extraRows", extra);
        out.put("sampledRows", samples);
        out.put("mismatchedSamples", mismatched);
        out.put("mismatchExamples", examples);
        out.put("deadLetters", scalar("SELECT count(*) FROM sync.dead_letter"));
        return out;
    }

    // =====================================================================================
    // helpers

    private long lastPublished() {
        long last = -1;
        for (BenchProbe.Published p : probe.published) {
            last = Math.max(last, p.replayId());
        }
        return last;
    }

    private void awaitApplied(long replayId, String what) {
        long t = System.nanoTime();
        await(what + " applied up to replayId " + replayId).atMost(Duration.ofSeconds(drainTimeoutSeconds))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> scalar("SELECT coalesce(max(replay_id), -1) FROM sync.replay_position WHERE channel = '"
                        + BenchProbe.CHANNEL + "'") >= replayId);
        System.out.printf("[bench] %s: applied through replayId %d (%.1f s after the last write)%n", what, replayId,
                (System.nanoTime() - t) / 1e9);
    }

    private Map<String, Object> apiCalls(Map<String, Long> before, Map<String, Long> after, BenchDriver.Drive drive) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Long> diff = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (d > 0 && (e.getKey().startsWith("rest.") || e.getKey().startsWith("bulk."))) {
                diff.put(e.getKey(), d);
                total += d;
            }
        }
        out.put("driverCalls", drive.calls());
        out.put("apiRequests", total);
        out.put("perThousandChanges", round(total * 1000.0 / Math.max(1, drive.changes()), 2));
        out.put("byEndpoint", diff);
        out.put("note", "calls the benchmark driver made to write the changes (informational; Sluice reads through CometD)");
        return out;
    }

    private Map<String, Object> batchStats(List<BenchProbe.Batch> batches) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Long> durations = new ArrayList<>();
        long events = 0;
        for (BenchProbe.Batch b : batches) {
            durations.add(b.endMicros() - b.startMicros());
            events += b.events();
        }
        out.put("count", batches.size());
        out.put("meanEvents", batches.isEmpty() ? 0 : round((double) events / batches.size(), 1));
        out.put("stageAndApplyMs", percentiles(durations));
        out.put("retriedPasses", probe.batches.stream().filter(BenchProbe.Batch::failed).count());
        return out;
    }

    private Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("rate", rate > 0 ? rate : "max");
        p.put("seconds", seconds);
        p.put("warmupSeconds", warmupSeconds);
        p.put("tickMillis", tickMillis);
        p.put("seedRecords", seedRecords);
        p.put("backlog", backlog);
        p.put("batchSize", config.apply().batchSize());
        p.put("batchMaxWaitMillis", config.apply().batchMaxWaitMillis());
        p.put("staging", BenchProfile.s3() ? "s3 (s3proxy)" : config.staging().uri());
        p.put("mix", Map.of("create", 0.2, "partialUpdate", 0.7, "delete", 0.1));
        p.put("driver", "HTTP sObject Collections, up to 200 records per call, one emulator transaction per call");
        p.put("table", BenchProfile.TABLE + " (sfid text PK; name, industry text; annual_revenue numeric; employees int;"
                + " billing_city text; last_modified timestamptz)");
        p.put("latency", "row commit in PostgreSQL (deferred constraint trigger, clock_timestamp() at commit)"
                + " - CDC commitTimestamp");
        return p;
    }

    private Map<String, Object> ratios(Map<String, Object> fixed, Map<String, Object> drained, Map<String, Object> copy) {
        Map<String, Object> r = new LinkedHashMap<>();
        double copyRate = ((Number) copy.get("rowsPerSecond")).doubleValue();
        double chunkedRate = ((Number) copy.get("chunkedRowsPerSecond")).doubleValue();
        if (drained != null) {
            double e2e = ((Number) drained.get("changesPerSecond")).doubleValue();
            double busy = ((Number) drained.get("stageAndApplyBusyChangesPerSecond")).doubleValue();
            r.put("backlogChangesPerSecondOverCopy", round(e2e / copyRate, 3));
            r.put("stageAndApplyBusyRateOverCopy", round(busy / copyRate, 3));
            r.put("stageAndApplyBusyRateOverChunkedCopy", round(busy / chunkedRate, 3));
        }
        r.put("fixedRateAppliedOverCopy", round(((Number) fixed.get("appliedRate")).doubleValue() / copyRate, 3));
        return r;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> targets(Map<String, Object> fixed, Map<String, Object> drained) {
        Map<String, Object> t = new LinkedHashMap<>();
        if (drained != null) {
            double sustained = ((Number) drained.get("changesPerSecond")).doubleValue();
            t.put("sustainedChangesPerSecond", Map.of("target", TARGET_SUSTAINED, "measured", sustained,
                    "met", sustained >= TARGET_SUSTAINED));
        }
        Object p99 = ((Map<String, Object>) fixed.get("latencyMs")).get("p99");
        if (rate == TARGET_P99_RATE && p99 != null) {
            t.put("p99MsAt1000ChangesPerSecond", Map.of("target", TARGET_P99_MS, "measured", p99,
                    "met", ((Number) p99).doubleValue() <= TARGET_P99_MS));
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    private static String summary(Map<String, Object> report) {
        Map<String, Object> f = (Map<String, Object>) report.get("fixedRate");
        Map<String, Object> lat = (Map<String, Object>) f.get("latencyMs");
        Map<String, Object> br = (Map<String, Object>) f.get("breakdown");
        Map<String, Object> b = (Map<String, Object>) report.get("backlog");
        Map<String, Object> c = (Map<String, Object>) report.get("copy");
        Map<String, Object> r = (Map<String, Object>) report.get("ratios");
        Map<String, Object> s = (Map<String, Object>) report.get("stagingProbe");
        Map<String, Object> p = (Map<String, Object>) report.get("parameters");
        Map<String, Object> m = (Map<String, Object>) report.get("machine");
        StringBuilder out = new StringBuilder();
        String row = "  %-48s %18s   %s%n";
        out.append(String.format("%n==== Sluice benchmark: Salesforce -> PostgreSQL (%s cores, %s) ====%n", m.get("cores"), m.get("jvm")));
        out.append(String.format("  batch-size %s, batch-max-wait %s ms, staging %s%n", p.get("batchSize"),
                p.get("batchMaxWaitMillis"), p.get("staging")));
        out.append(String.format(row, "figure", "measured", "reference / target (same run)"));
        out.append(String.format(row, "fixed rate: offered changes/s", f.get("achievedOfferedRate"), "asked " + f.get("offeredRate")));
        out.append(String.format(row, "fixed rate: applied changes/s", f.get("appliedRate"),
                "COPY " + c.get("rowsPerSecond") + " rows/s (ratio " + r.get("fixedRateAppliedOverCopy") + ")"));
        out.append(String.format(row, "fixed rate: changes measured", f.get("changes"), f.get("events") + " CDC events"));
        out.append(String.format(row, "latency p50 / p95 ms", lat.get("p50") + " / " + lat.get("p95"), ""));
        out.append(String.format(row, "latency p99 / max ms", lat.get("p99") + " / " + lat.get("max"),
                "target p99 <= 1000 ms at 1,000/s"));
        out.append(String.format(row, "  where: CometD delivery p50 / p99 ms", BenchStats.p50p99(br.get("deliveryMs")),
                "commit -> route intake"));
        out.append(String.format(row, "  where: batch wait p50 / p99 ms", BenchStats.p50p99(br.get("batchWaitMs")),
                "intake -> batch starts"));
        out.append(String.format(row, "  where: stage + apply p50 / p99 ms", BenchStats.p50p99(br.get("stageAndApplyMs")),
                "staging put alone " + BenchStats.p50p99(s.get("encodeAndPutMs"))));
        if (b != null) {
            out.append(String.format(row, "backlog: changes (events)", b.get("changes") + " (" + b.get("events") + ")",
                    "written at " + b.get("preloadRate") + "/s"));
            out.append(String.format(row, "backlog: changes/s first->last commit", b.get("changesPerSecond"),
                    "target >= 5,000; COPY " + c.get("rowsPerSecond") + " rows/s (ratio " + r.get("backlogChangesPerSecondOverCopy") + ")"));
            out.append(String.format(row, "backlog: changes/s restart->last commit", b.get("drainChangesPerSecond"), ""));
            out.append(String.format(row, "backlog: stage+apply busy changes/s", b.get("stageAndApplyBusyChangesPerSecond"),
                    "ratio to COPY " + r.get("stageAndApplyBusyRateOverCopy") + ", to COPY in " + c.get("chunkRows")
                            + "-row chunks " + r.get("stageAndApplyBusyRateOverChunkedCopy")));
        }
        out.append(String.format(row, "raw COPY rows/s (" + c.get("rows") + " rows)", c.get("rowsPerSecond"),
                "in " + c.get("chunkRows") + "-row chunks: " + c.get("chunkedRowsPerSecond")));
        out.append(String.format(row, "driver API calls / 1,000 changes (fixed rate)",
                ((Map<String, Object>) f.get("apiCalls")).get("perThousandChanges"), "informational"));
        for (Map<String, Object> phase : b == null ? List.of(f) : List.of(f, b)) {
            Map<String, Object> prof = (Map<String, Object>) phase.get("stageAndApplyProfile");
            out.append(String.format("  stage+apply time (%s, %s samples; threads %s):%n", phase == f ? "fixed rate" : "backlog",
                    prof.get("samples"), phase.get("applyThreads")));
            ((Map<String, Object>) prof.get("percentByKind")).forEach((kind, pct) ->
                    out.append(String.format("    %5s%%  %s%n", pct, kind)));
        }
        Map<String, Object> k = (Map<String, Object>) report.get("correctness");
        out.append(String.format(row, "correctness: rows / emulator records", k.get("postgresRows") + " / " + k.get("emulatorRecords"),
                "missing " + k.get("missingRows") + ", extra " + k.get("extraRows") + ", sampled mismatches "
                        + k.get("mismatchedSamples")));
        return out.toString();
    }

    private void sql(String... statements) {
        BenchStats.sql(db, statements);
    }

    private long scalar(String sql) {
        return BenchStats.scalar(db, sql);
    }
}
