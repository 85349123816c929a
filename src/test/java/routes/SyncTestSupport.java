package routes;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import emulator.SalesforceEmulator;
import sync.flow.SyncEngine;
import sync.staging.RecordIds;
import sync.testing.EmulatorResource;

import org.eclipse.microprofile.config.ConfigProvider;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static emulator.EmulatorHttp.V;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the Salesforce -> PostgreSQL end-to-end tests share: records written through the
 * emulator's REST API, rows read from the synced tables (keyed by {@code sfid}), and waiting
 * for them to land.
 */
final class SyncTestSupport {
    /** Longest wait for a change to reach PostgreSQL. */
    static final Duration LANDS_WITHIN = Duration.ofSeconds(30);

    private final DataSource db;
    private final SyncEngine engine;
    private final SalesforceEmulator org;
    private final EmulatorHttp sf;

    private SyncTestSupport(DataSource db, SyncEngine engine, SalesforceEmulator org, EmulatorHttp sf) {
        this.db = db;
        this.engine = engine;
        this.org = org;
        this.sf = sf;
    }

    /** Logs in to the test emulator and waits until the engine streams {@code mappings} mappings. */
    static SyncTestSupport connect(DataSource db, SyncEngine engine, int mappings) {
        SalesforceEmulator org = EmulatorResource.emulator();
        EmulatorHttp sf = new EmulatorHttp(org);
        sf.login();
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.state() == SyncEngine.State.RUNNING
                && engine.streams().size() == mappings);
        return new SyncTestSupport(db, engine, org, sf);
    }

    /**
     * A fresh 18-character Account Id the emulator never issued, for records that reach
     * PostgreSQL another way than change events (inbound files).
     */
    static String newAccountId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder("001");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (id.length() < 15) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return RecordIds.normalize(id.toString()).orElseThrow();
    }

    SalesforceEmulator org() {
        return org;
    }

    EmulatorHttp sf() {
        return sf;
    }

    /** Creates a record through the REST API; returns its Id. */
    String create(String object, String json) {
        EmulatorHttp.Reply r = sf.post(V + "/sobjects/" + object, json);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    void update(String object, String id, String json) {
        EmulatorHttp.Reply r = sf.patch(V + "/sobjects/" + object + "/" + id, json);
        assertThat(r.status()).as(r.body()).isEqualTo(204);
    }

    void delete(String object, String id) {
        EmulatorHttp.Reply r = sf.delete(V + "/sobjects/" + object + "/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(204);
    }

    /**
     * The lifecycle both staging areas must carry: an Account created (Unicode text included),
     * partially updated with one field nulled, deleted and undeleted, each step asserted in
     * {@code public.sf_account}. Returns the record's Id.
     */
    String accountLifecycleLands() {
        String id = create("Account", "{\"Name\":\"Acme\",\"Industry\":\"Banking\",\"AnnualRevenue\":1500000,"
                + "\"BillingStreet\":\"1 Main St\",\"BillingCity\":\"Lyon\",\"Description\":\"Große Straße — ünïcödé ✓\"}");
        Map<String, Object> created = awaitRow("public.sf_account", id, r -> "Acme".equals(r.get("name")));
        assertThat(created.get("industry")).isEqualTo("Banking");
        assertThat((BigDecimal) created.get("annual_revenue")).isEqualByComparingTo("1500000");
        assertThat(created.get("billing_city")).isEqualTo("Lyon");
        assertThat(created.get("description")).isEqualTo("Große Straße — ünïcödé ✓");

        update("Account", id, "{\"BillingCity\":\"Paris\",\"Industry\":null}");
        Map<String, Object> updated = awaitRow("public.sf_account", id, r -> "Paris".equals(r.get("billing_city")));
        assertThat(updated.get("industry")).isNull();
        assertThat(updated.get("name")).isEqualTo("Acme");
        assertThat(updated.get("billing_street")).isEqualTo("1 Main St");

        delete("Account", id);
        awaitNoRow("public.sf_account", id);

        assertThat(sf.admin("undelete", "{\"ids\":[\"" + id + "\"]}").status()).isEqualTo(200);
        Map<String, Object> back = awaitRow("public.sf_account", id, r -> true);
        assertThat(back.get("name")).isEqualTo("Acme");
        assertThat(back.get("billing_city")).isEqualTo("Paris");
        return id;
    }

    /** The row of {@code table} whose sfid is {@code sfid}, column name to value; null when there is none. */
    Map<String, Object> row(String table, String sfid) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE sfid = ?")) {
            ps.setString(1, sfid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                ResultSetMetaData md = rs.getMetaData();
                Map<String, Object> out = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    out.put(md.getColumnName(i), rs.getObject(i));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the row to exist and meet {@code condition}; returns it. */
    Map<String, Object> awaitRow(String table, String sfid, Predicate<Map<String, Object>> condition) {
        return await().atMost(LANDS_WITHIN).until(() -> row(table, sfid), r -> r != null && condition.test(r));
    }

    /** Waits for the row to be gone. */
    void awaitNoRow(String table, String sfid) {
        await().atMost(LANDS_WITHIN).until(() -> row(table, sfid) == null);
    }

    /** The first column of the first row of a query, as a long. */
    long scalar(String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row of a query, as text; null when there is no row. */
    String text(String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A connection of "the application": Sluice's own pool tags its sessions with replication
     * origins (so their writes are never captured), which an application's writes must not be.
     */
    static Connection appConnection() throws SQLException {
        var config = ConfigProvider.getConfig();
        return java.sql.DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(null));
    }

    /** Runs a statement as the application (captured and sent to Salesforce). */
    static void app(String sql) {
        try (Connection c = appConnection(); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Calls the emulator counted on an endpoint, e.g. {@code rest.composite.sobjects.create}. */
    long calls(String endpoint) {
        return org.counters().snapshot().getOrDefault(endpoint, 0L);
    }

    /** A record as the REST API reads it. */
    JsonNode record(String object, String id) {
        EmulatorHttp.Reply r = sf.get(V + "/sobjects/" + object + "/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The records a SOQL query counts ({@code totalSize}). */
    long soqlCount(String soql) {
        EmulatorHttp.Reply r = sf.get(V + "/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("totalSize").asLong();
    }

    /**
     * Waits until both directions of a two-way mapping are idle: nothing queued for Salesforce, a
     * marker record made in Salesforce after everything else has reached {@code table} (so every
     * change event before it, echoes included, was applied or dropped), and the capture has read
     * the WAL past the marker's row and sent whatever it queued meanwhile. Then checks that
     * Sluice's own write of the marker was not captured for Salesforce: the slot skips it
     * (origin=none, PostgreSQL 16 and later) or the route drops it by its replication origin
     * (PostgreSQL 14, 15).
     */
    void drained(String table) {
        await().atMost(LANDS_WITHIN).until(() -> scalar(
                "SELECT count(*) FROM sync.outbound_change WHERE status IN ('pending', 'sending')") == 0);
        String marker = create("Account", "{\"Name\":\"marker " + UUID.randomUUID() + "\"}");
        awaitRow(table, marker, r -> true);
        captureCaughtUp();
        await().atMost(LANDS_WITHIN).until(() -> engine.outbound().queue().buffered() == 0
                && scalar("SELECT count(*) FROM sync.outbound_change WHERE status IN ('pending', 'sending')") == 0);
        assertThat(scalar("SELECT count(*) FROM sync.outbound_change WHERE sfid = ?", marker))
                .as("changes queued for Salesforce from Sluice's own write of record %s", marker).isZero();
    }

    /**
     * Waits until the capture has read every PostgreSQL change committed so far: a row the
     * application writes now into {@code sync.heartbeat} (in the publication) comes back through
     * the slot, after every earlier change has gone through the route.
     */
    void captureCaughtUp() {
        long lsn;
        try (Connection c = appConnection(); var st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
                rs.next();
                lsn = rs.getLong(1);
            }
            st.execute("INSERT INTO " + sync.debezium.DebeziumSource.HEARTBEAT_TABLE + " (id, beat_at) VALUES (1, now()) "
                    + "ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        await().atMost(LANDS_WITHIN).until(() -> engine.outbound().caughtUpTo(lsn));
    }

    void sql(String sql) {
        try (Connection c = db.getConnection(); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
