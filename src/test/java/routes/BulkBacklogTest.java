package routes;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import emulator.cdc.StreamEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.flow.SyncEngine;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static emulator.EmulatorHttp.V;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static routes.SyncTestSupport.app;
import static routes.SyncTestSupport.appConnection;

/**
 * PostgreSQL -> Salesforce backlogs through Bulk API 2.0 ingest jobs, on the two-way Account
 * mapping of {@link TwoWaySyncTest} (same profile, same application; its bulk threshold is 100).
 * A backlog is made by holding the writer while the application changes rows, so that every
 * change is queued before the first round: the round then sees the whole backlog at once.
 * Outcomes are asserted in both stores and in the emulator's API counters.
 */
@QuarkusTest
@TestProfile(TwoWaySyncProfile.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(EmulatorResource.class)
class BulkBacklogTest {
    private static final String TABLE = "public.tw_account";
    private static final String WRITER = PostgresToSalesforceRoute.WRITER_ROUTE;
    private static final String JOB_CREATE = "bulk.ingest.create";
    private static final String JOB_UPLOAD = "bulk.ingest.upload";
    private static final String JOB_POLL = "bulk.ingest.info";
    private static final String CREATE = "rest.composite.sobjects.create";
    private static final String UPDATE = "rest.composite.sobjects.update";
    private static final String DELETE = "rest.composite.sobjects.delete";

    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    CamelContext camel;
    @Inject
    MeterRegistry registry;

    SyncTestSupport e2e;
    EmulatorHttp sf;

    @BeforeEach
    void connect() {
        e2e = SyncTestSupport.connect(db, engine, 1);
        sf = e2e.sf();
        await().atMost(Duration.ofSeconds(60)).until(() -> e2e.scalar(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sluice' AND active") == 1);
    }

    @Test
    void aBacklogOfInsertsGoesInOneIngestJobWithIdsWrittenBackFailuresDeadLetteredAndNoEcho() throws Exception {
        String batch = "Backlog " + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Long> before = bulkCalls();
        long collectionCreates = e2e.calls(CREATE);
        double createCalls = metric("sluice.outbound.calls", "CREATE");

        List<Long> keys = backlog(250, () -> {
            app("INSERT INTO " + TABLE + " (name, industry, billing_city, annual_revenue, employees) SELECT '" + batch
                    + " ' || i, 'Energy', '" + batch + " city ' || i, i * 1000, i FROM generate_series(1, 248) i");
            // Salesforce requires a Name: these two are refused, the rest of the job goes through.
            app("INSERT INTO " + TABLE + " (name, billing_city) SELECT NULL, '" + batch + " nameless ' || i"
                    + " FROM generate_series(1, 2) i");
            return keysWhere("billing_city LIKE '" + batch + " %'", 250);
        }, () -> { });
        awaitSettled(keys);

        Map<String, Long> calls = delta(before, bulkCalls());
        assertThat(calls).containsEntry(JOB_CREATE, 1L).containsEntry(JOB_UPLOAD, 1L);
        assertThat(e2e.calls(CREATE)).as("no sObject Collections create").isEqualTo(collectionCreates);
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).as("API calls of the job: " + calls).isLessThanOrEqualTo(12);
        assertThat(metric("sluice.outbound.calls", "CREATE") - createCalls).as("every call of the job counted")
                .isEqualTo(total);

        // Every named row was created with its values and got its Id back.
        Map<String, JsonNode> records = accounts("BillingCity LIKE '" + batch + " city %'");
        assertThat(records).hasSize(248);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT sfid, name, industry,"
                + " billing_city, annual_revenue, employees FROM " + TABLE + " WHERE billing_city LIKE ? AND name IS NOT NULL")) {
            ps.setString(1, batch + " city %");
            try (ResultSet rs = ps.executeQuery()) {
                int rows = 0;
                while (rs.next()) {
                    rows++;
                    JsonNode r = records.get(rs.getString("sfid"));
                    assertThat(r).as("record of row " + rs.getString("name")).isNotNull();
                    assertThat(r.get("Name").asText()).isEqualTo(rs.getString("name"));
                    assertThat(r.get("Industry").asText()).isEqualTo("Energy");
                    assertThat(r.get("BillingCity").asText()).isEqualTo(rs.getString("billing_city"));
                    assertThat(new BigDecimal(r.get("AnnualRevenue").asText())).isEqualByComparingTo(rs.getBigDecimal("annual_revenue"));
                    assertThat(r.get("NumberOfEmployees").asInt()).isEqualTo(rs.getInt("employees"));
                }
                assertThat(rows).isEqualTo(248);
            }
        }
        assertThat(changeOrigin(records.keySet().iterator().next())).endsWith(";client=sluice");

        // The two refused rows are dead-lettered with Salesforce's code and message, and have no Id.
        assertThat(e2e.scalar("SELECT count(*) FROM " + TABLE + " WHERE billing_city LIKE ? AND sfid IS NULL",
                batch + " nameless %")).isEqualTo(2);
        assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change o JOIN sync.dead_letter d ON d.id = o.dead_letter"
                + " WHERE o.pg_key = ANY(?) AND o.status = 'failed' AND d.direction = 'to-salesforce'"
                + " AND d.error LIKE 'REQUIRED_FIELD_MISSING: Required fields are missing: [Name]%'"
                + " AND d.payload->>'operation' = 'CREATE'", keyArray(keys))).isEqualTo(2);

        // No echo: the write-backs were not captured, the change events of the job rewrote no row
        // and created none, and nothing went to Salesforce twice.
        String xmins = xmins(keys);
        e2e.drained(TABLE);
        assertThat(xmins(keys)).isEqualTo(xmins);
        assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE mapping = 'acct' AND pg_key = ANY(?)",
                keyArray(keys))).isEqualTo(250);
        assertThat(e2e.scalar("SELECT count(*) FROM " + TABLE + " WHERE name LIKE ?", batch + " %")).isEqualTo(248);
        assertThat(e2e.soqlCount("SELECT count() FROM Account WHERE Name LIKE '" + batch + " %'")).isEqualTo(248);
        assertThat(delta(before, bulkCalls())).containsEntry(JOB_CREATE, 1L);
    }

    @Test
    void backlogsOfUpdatesAndDeletesGoInIngestJobsAndABusyOrgIsRetried() throws Exception {
        String batch = "Churn " + UUID.randomUUID().toString().substring(0, 8);
        app("INSERT INTO " + TABLE + " (name, billing_city) SELECT '" + batch + " ' || i, 'Old' FROM generate_series(1, 230) i");
        List<Long> all = keysWhere("name LIKE '" + batch + " %'", 230);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.scalar("SELECT count(*) FROM " + TABLE
                + " WHERE name LIKE ? AND sfid IS NOT NULL", batch + " %") == 230);
        e2e.drained(TABLE);
        List<Long> moved = all.subList(0, 115);
        List<Long> gone = all.subList(115, 230);
        Map<Long, String> ids = sfids(all);
        Map<String, Long> before = bulkCalls();
        long collectionUpdates = e2e.calls(UPDATE);
        long collectionDeletes = e2e.calls(DELETE);

        backlog(231, () -> {
            app("UPDATE " + TABLE + " SET billing_city = 'Moved ' || id WHERE id = ANY('" + keyList(moved) + "')");
            // Salesforce refuses to clear a required field: this update is dead-lettered alone.
            app("UPDATE " + TABLE + " SET name = NULL WHERE id = " + moved.get(0));
            app("DELETE FROM " + TABLE + " WHERE id = ANY('" + keyList(gone) + "')");
            return all;
        }, () -> // The first ingest job Salesforce is asked for answers 503: every change waits and goes again.
                assertThat(sf.admin("faults", "{\"endpoint\":\"" + JOB_CREATE + "\",\"fault\":\"503\",\"times\":1}")
                        .status()).isEqualTo(200));
        awaitSettled(all);

        assertThat(delta(before, bulkCalls())).as("a refused job, then one update and one delete job")
                .containsEntry(JOB_CREATE, 3L).containsEntry(JOB_UPLOAD, 2L);
        assertThat(e2e.calls(UPDATE)).isEqualTo(collectionUpdates);
        assertThat(e2e.calls(DELETE)).isEqualTo(collectionDeletes);
        assertThat(e2e.scalar("SELECT max(attempts) FROM sync.outbound_change WHERE pg_key = ANY(?) AND op = 'DELETE'",
                keyArray(gone))).as("retried once").isEqualTo(2);

        Map<String, JsonNode> records = accounts("Name LIKE '" + batch + " %'");
        for (Long key : moved.subList(1, moved.size())) {
            assertThat(records.get(ids.get(key)).get("BillingCity").asText()).isEqualTo("Moved " + key);
        }
        assertThat(records.get(ids.get(moved.get(0))).get("BillingCity").asText()).as("its update was refused whole")
                .isEqualTo("Old");
        assertThat(e2e.text("SELECT d.error FROM sync.outbound_change o JOIN sync.dead_letter d ON d.id = o.dead_letter"
                + " WHERE o.pg_key = ?", Long.toString(moved.get(0)))).startsWith("REQUIRED_FIELD_MISSING: ");
        for (Long key : gone) {
            assertThat(records).doesNotContainKey(ids.get(key));
            assertThat(sf.get(V + "/sobjects/Account/" + ids.get(key)).status()).isEqualTo(404);
        }
        assertThat(records).hasSize(115);

        String xmins = xmins(moved);
        e2e.drained(TABLE);
        assertThat(xmins(moved)).as("no echo rewrote an updated row").isEqualTo(xmins);
        assertThat(e2e.scalar("SELECT count(*) FROM " + TABLE + " WHERE id::text = ANY(?)", keyArray(gone))).isZero();
    }

    @Test
    void aJobCutOffFromItsResultsByAStopIsReadAtTheNextStartNotSentAgain() throws Exception {
        String batch = "Cut off " + UUID.randomUUID().toString().substring(0, 8);
        long polls = e2e.calls(JOB_POLL);
        long collectionCreates = e2e.calls(CREATE);
        List<Long> keys;
        try {
            keys = backlog(150, () -> {
                app("INSERT INTO " + TABLE + " (name, billing_city) SELECT '" + batch + " ' || i, 'Mons'"
                        + " FROM generate_series(1, 150) i");
                return keysWhere("name LIKE '" + batch + " %'", 150);
            }, () -> // Salesforce takes the job, but no answer about it comes back before the stop.
                    assertThat(sf.admin("faults", "{\"endpoint\":\"" + JOB_POLL + "\",\"fault\":\"503\","
                            + "\"times\":100000}").status()).isEqualTo(200));
            await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.calls(JOB_POLL) > polls);
            assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE pg_key = ANY(?) AND status = 'sending'"
                    + " AND bulk_job IS NOT NULL", keyArray(keys))).isEqualTo(150);
            engine.stopOutbound();
        } finally {
            sf.send("DELETE", "/emulator/faults", null, Map.of());
        }
        Map<String, Long> before = bulkCalls();
        try {
            // What the next start does first.
            engine.outbound().writer().recover();

            assertThat(e2e.scalar("SELECT count(*) FROM " + TABLE + " WHERE name LIKE ? AND sfid IS NOT NULL", batch + " %"))
                    .isEqualTo(150);
            assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE pg_key = ANY(?) AND status = 'sent'",
                    keyArray(keys))).isEqualTo(150);
            assertThat(delta(before, bulkCalls())).as("the job's results were read, nothing was sent again")
                    .containsKey("bulk.ingest.results").doesNotContainKeys(JOB_CREATE, JOB_UPLOAD);
        } finally {
            engine.startOutbound();
        }
        e2e.drained(TABLE);
        assertThat(e2e.calls(CREATE)).isEqualTo(collectionCreates);
        assertThat(e2e.soqlCount("SELECT count() FROM Account WHERE Name LIKE '" + batch + " %'")).isEqualTo(150);
        assertThat(e2e.scalar("SELECT count(*) FROM " + TABLE + " WHERE name LIKE ?", batch + " %")).isEqualTo(150);
        Map<String, JsonNode> records = accounts("Name LIKE '" + batch + " %'");
        assertThat(sfids(keys).values()).containsExactlyInAnyOrderElementsOf(records.keySet());
    }

    // --- helpers

    /**
     * A backlog: runs {@code changes} (application writes; returns the keys of the rows written)
     * while the writer is stopped, waits until the capture has queued {@code queued} changes of
     * those keys, runs {@code then}, and starts the writer again.
     */
    private List<Long> backlog(int queued, java.util.concurrent.Callable<List<Long>> changes, Runnable then) throws Exception {
        camel.getRouteController().stopRoute(WRITER);
        try {
            List<Long> keys = changes.call();
            awaitQueued(keys, queued);
            then.run();
            return keys;
        } finally {
            camel.getRouteController().startRoute(WRITER);
        }
    }

    /** Waits until {@code changes} changes of the keys are queued (the capture flushed), none sent yet. */
    private void awaitQueued(List<Long> keys, int changes) {
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> {
            engine.outbound().queue().flush();
            return e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE mapping = 'acct' AND pg_key = ANY(?)"
                    + " AND status = 'pending'", keyArray(keys)) >= changes;
        });
    }

    private void awaitSettled(List<Long> keys) {
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.scalar("SELECT count(*) FROM sync.outbound_change"
                + " WHERE mapping = 'acct' AND pg_key = ANY(?) AND status IN ('pending', 'sending')", keyArray(keys)) == 0);
    }

    private List<Long> keysWhere(String condition, int expected) throws SQLException {
        List<Long> keys = new ArrayList<>();
        try (Connection c = appConnection(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM " + TABLE + " WHERE " + condition + " ORDER BY id")) {
            while (rs.next()) {
                keys.add(rs.getLong(1));
            }
        }
        assertThat(keys).hasSize(expected);
        return keys;
    }

    private Map<Long, String> sfids(List<Long> keys) throws SQLException {
        Map<Long, String> out = new HashMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, sfid FROM " + TABLE + " WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("int8", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** The rows' xmin, in key order: a row rewritten since gets a new one. */
    private String xmins(List<Long> keys) {
        return e2e.text("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM " + TABLE + " WHERE id::text = ANY(?)",
                keyArray(keys));
    }

    /** Live Accounts matching a SOQL condition, by Id. */
    private Map<String, JsonNode> accounts(String where) {
        Map<String, JsonNode> out = new TreeMap<>();
        String next = V + "/query?q=" + URLEncoder.encode("SELECT Id, Name, Industry, BillingCity, AnnualRevenue,"
                + " NumberOfEmployees FROM Account WHERE " + where, StandardCharsets.UTF_8);
        while (next != null) {
            EmulatorHttp.Reply r = sf.get(next);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().get("records").forEach(rec -> out.put(rec.get("Id").asText(), rec));
            next = r.json().path("nextRecordsUrl").asText(null);
        }
        return out;
    }

    /** The changeOrigin of the record's change events, as the emulator published them. */
    private static String changeOrigin(String id) {
        return EmulatorResource.emulator().bus().retained().stream()
                .map(StreamEvent::payload)
                .map(p -> (Map<?, ?>) p.get("ChangeEventHeader"))
                .filter(h -> ((List<?>) h.get("recordIds")).contains(id))
                .map(h -> (String) h.get("changeOrigin"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no change event for " + id));
    }

    /** The emulator's Bulk API ingest counters. */
    private Map<String, Long> bulkCalls() {
        Map<String, Long> out = new TreeMap<>();
        EmulatorResource.emulator().counters().snapshot().forEach((k, v) -> {
            if (k.startsWith("bulk.ingest.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    private double metric(String name, String kind) {
        return registry.counter(name, "mapping", "acct", "kind", kind).count();
    }

    /** The keys as the text array sync.outbound_change.pg_key is compared with (one query parameter). */
    private static Object keyArray(List<Long> keys) {
        return keys.stream().map(String::valueOf).toArray(String[]::new);
    }

    private static String keyList(List<Long> keys) {
        return "{" + String.join(",", keys.stream().map(String::valueOf).toList()) + "}";
    }
}
