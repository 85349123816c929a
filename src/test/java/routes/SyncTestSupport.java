package routes;

import emulator.EmulatorHttp;
import emulator.SalesforceEmulator;
import sync.flow.SyncEngine;
import sync.staging.RecordIds;
import sync.testing.EmulatorResource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private final SalesforceEmulator org;
    private final EmulatorHttp sf;

    private SyncTestSupport(DataSource db, SalesforceEmulator org, EmulatorHttp sf) {
        this.db = db;
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
        return new SyncTestSupport(db, org, sf);
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

    void sql(String sql) {
        try (Connection c = db.getConnection(); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
