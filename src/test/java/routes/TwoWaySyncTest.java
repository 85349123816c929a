package routes;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import emulator.SalesforceEmulator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.flow.SyncEngine;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static emulator.EmulatorHttp.V;
import static routes.SyncTestSupport.app;
import static routes.SyncTestSupport.appConnection;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both directions at once, on one Account mapping: PostgreSQL changes reach Salesforce through
 * the real Debezium capture and camel-salesforce writes, Salesforce changes come back through
 * change events, and neither side's writes loop back. Writes are counted on both sides: the
 * emulator's API counters and the rows' xmin (a row rewritten by an echo gets a new one).
 * Runs on the embedded PostgreSQL 18; {@link TwoWaySyncPostgres15Test} runs the same tests on
 * PostgreSQL 15, where the slot cannot leave Sluice's own writes out.
 */
@QuarkusTest
@TestProfile(TwoWaySyncProfile.class)
class TwoWaySyncTest {
    private static final String TABLE = "public.tw_account";
    private static final String CREATE = "rest.composite.sobjects.create";
    private static final String UPDATE = "rest.composite.sobjects.update";
    private static final String DELETE = "rest.composite.sobjects.delete";
    private static final String COMPOSITE = "rest.composite";
    private static final String IN_COMPOSITE = "composite.";
    private static final long SYNTHETIC_LSN = -(1L << 40);

    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    org.apache.camel.CamelContext camel;

    SyncTestSupport e2e;
    SalesforceEmulator org;
    EmulatorHttp sf;

    @BeforeEach
    void connect() {
        e2e = SyncTestSupport.connect(db, engine, 1);
        org = e2e.org();
        sf = e2e.sf();
        // Changes committed before the slot streams are not captured (no snapshot): wait for it.
        await().atMost(Duration.ofSeconds(60)).until(() -> e2e.scalar(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sluice' AND active") == 1);
    }

    @Test
    void insertInPostgresCreatesOneRecordWritesItsIdBackAndNothingEchoes() {
        long creates = calls(CREATE);
        long updates = calls(UPDATE);
        String name = "Pg Co " + UUID.randomUUID();
        long key = insert(name, "Banking", "Lyon");

        String sfid = awaitSfid(key);
        JsonNode record = record(sfid);
        assertThat(record.get("Name").asText()).isEqualTo(name);
        assertThat(record.get("Industry").asText()).isEqualTo("Banking");
        assertThat(record.get("BillingCity").asText()).isEqualTo("Lyon");
        assertThat(new BigDecimal(record.get("AnnualRevenue").asText())).isEqualByComparingTo("2500000");
        assertThat(calls(CREATE) - creates).isEqualTo(1);
        assertThat(count("SELECT count() FROM Account WHERE Name = '" + name + "'")).isEqualTo(1);

        long xmin = xmin(key);
        drained();
        // The create's change event came back and was recognised: the row was not rewritten, the
        // write-back was not captured, nothing more went to Salesforce.
        assertThat(xmin(key)).isEqualTo(xmin);
        assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE mapping = 'acct' AND pg_key = ?",
                Long.toString(key))).isEqualTo(1);
        assertThat(calls(CREATE) - creates).isEqualTo(1);
        assertThat(calls(UPDATE) - updates).isZero();
    }

    @Test
    void tenRapidEditsEndAsTheLastValueOnBothSides() {
        long key = insert("Rapid 0", null, "Nice");
        String sfid = awaitSfid(key);
        long updates = calls(UPDATE);
        for (int i = 1; i <= 10; i++) {
            app("UPDATE " + TABLE + " SET name = 'Rapid " + i + "' WHERE id = " + key);
        }
        long xmin = xmin(key);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> record(sfid).get("Name").asText().equals("Rapid 10"));
        drained();
        // No echo of an earlier value (Rapid 1..9) was written over the row meanwhile.
        assertThat(xmin(key)).isEqualTo(xmin);
        assertThat(e2e.text("SELECT name FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("Rapid 10");
        assertThat(record(sfid).get("Name").asText()).isEqualTo("Rapid 10");
        assertThat(calls(UPDATE) - updates).isBetween(1L, 10L);
    }

    @Test
    void salesforceChangesMadeByATriggerOnOurWriteStillReachPostgres() {
        EmulatorHttp.Reply rule = sf.admin("triggers", "{\"object\":\"Account\",\"whenField\":\"Phone\","
                + "\"setField\":\"Website\",\"value\":\"https://set-by-trigger.example\"}");
        assertThat(rule.status()).as(rule.body()).isEqualTo(200);
        long key = insert("Triggered", null, "Oslo");
        String sfid = awaitSfid(key);
        app("UPDATE " + TABLE + " SET phone = '+47 555 0100' WHERE id = " + key);

        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "https://set-by-trigger.example".equals(
                e2e.text("SELECT website FROM " + TABLE + " WHERE id = ?", key)));
        assertThat(record(sfid).get("Phone").asText()).isEqualTo("+47 555 0100");
        assertThat(e2e.text("SELECT phone FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("+47 555 0100");
    }

    @Test
    void deletesAndUndeletesConvergeFromEitherSide() {
        long pgSide = insert("Deleted in PG", null, "Rome");
        String first = awaitSfid(pgSide);
        long deletes = calls(DELETE);
        app("DELETE FROM " + TABLE + " WHERE id = " + pgSide);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> sf.get(V + "/sobjects/Account/" + first).status() == 404);
        assertThat(calls(DELETE) - deletes).isEqualTo(1);

        long sfSide = insert("Deleted in SF", null, "Bern");
        String second = awaitSfid(sfSide);
        e2e.delete("Account", second);
        e2e.awaitNoRow(TABLE, second);
        assertThat(sf.admin("undelete", "{\"ids\":[\"" + second + "\"]}").status()).isEqualTo(200);
        Map<String, Object> back = e2e.awaitRow(TABLE, second, r -> true);
        assertThat(back.get("name")).isEqualTo("Deleted in SF");
        assertThat(back.get("billing_city")).isEqualTo("Bern");
        drained();
        // The row that came back is a new row (the old one was deleted): it must not be created again in Salesforce.
        assertThat(count("SELECT count() FROM Account WHERE Name = 'Deleted in SF'")).isEqualTo(1);
    }

    @Test
    void aSalesforceEditNewerThanAQueuedPostgresEditWinsFieldByField() {
        long key = insert("Conflict", "Banking", "Porto");
        String sfid = awaitSfid(key);
        drained();
        // Salesforce refuses the next two update calls: the PostgreSQL edits stay queued meanwhile.
        assertThat(sf.admin("faults", "{\"endpoint\":\"" + UPDATE + "\",\"fault\":\"503\",\"times\":2}").status()).isEqualTo(200);
        app("UPDATE " + TABLE + " SET name = 'Conflict (pg)', billing_city = 'Faro' WHERE id = " + key);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.scalar(
                "SELECT count(*) FROM sync.outbound_change WHERE mapping = 'acct' AND pg_key = ? AND error IS NOT NULL",
                Long.toString(key)) > 0);
        // Later, someone renames it in Salesforce.
        e2e.update("Account", sfid, "{\"Name\":\"Conflict (sf)\"}");

        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "Faro".equals(record(sfid).get("BillingCity").asText()));
        drained();
        // Last writer wins per field: the name from Salesforce, the city from PostgreSQL, on both sides.
        assertThat(record(sfid).get("Name").asText()).isEqualTo("Conflict (sf)");
        assertThat(e2e.text("SELECT name FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("Conflict (sf)");
        assertThat(e2e.text("SELECT billing_city FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("Faro");
    }

    @Test
    void aSalesforceEditMadeWhileOurWriteIsOnTheWireEndsAsTheWrittenValueOnBothSides() {
        long key = insert("In flight", "Banking", "Bern");
        String sfid = awaitSfid(key);
        drained();
        long updates = calls(UPDATE);
        // Our next update call is held 1.5 s before it runs: an edit made in Salesforce meanwhile
        // is committed first, and our write then overwrites its Name in Salesforce.
        assertThat(sf.admin("faults", "{\"endpoint\":\"" + UPDATE + "\",\"delayMillis\":1500,\"times\":1}").status())
                .isEqualTo(200);
        app("UPDATE " + TABLE + " SET name = 'In flight (pg)' WHERE id = " + key);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> calls(UPDATE) > updates);
        e2e.update("Account", sfid, "{\"Name\":\"In flight (sf)\",\"Industry\":\"Energy\"}");

        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "Energy".equals(
                e2e.text("SELECT industry FROM " + TABLE + " WHERE id = ?", key)));
        drained();
        assertThat(record(sfid).get("Name").asText()).isEqualTo("In flight (pg)");
        // Without the check, the overwritten Salesforce edit lands in PostgreSQL: the sides differ.
        assertThat(e2e.text("SELECT name FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("In flight (pg)");
        assertThat(e2e.text("SELECT industry FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("Energy");
        assertThat(calls(UPDATE) - updates).isEqualTo(1);
    }

    @Test
    void aLateEchoOfOurWriteAfterAPostgresOutageNeverOverwritesANewerPostgresValue() throws Exception {
        long key = insert("Outage 0", null, "Porto");
        String sfid = awaitSfid(key);
        drained();
        long updates = calls(UPDATE);
        // Our next update is held 2 s in Salesforce; PostgreSQL goes away while it is on the wire, so
        // Sluice gets Salesforce's answer but cannot record it: the change stays 'sending'.
        assertThat(sf.admin("faults", "{\"endpoint\":\"" + UPDATE + "\",\"delayMillis\":2000,\"times\":1}").status())
                .isEqualTo(200);
        app("UPDATE " + TABLE + " SET name = 'Outage 1' WHERE id = " + key);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> calls(UPDATE) > updates);
        try (PostgresOutage outage = PostgresOutage.begin(appConnection())) {
            // The application goes on meanwhile (its session survived): a newer value of the same field.
            outage.execute("UPDATE " + TABLE + " SET name = 'Outage 2' WHERE id = " + key);
            await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "Outage 1".equals(record(sfid).get("Name").asText()));
            // Salesforce answered; the writer could not record it and holds the mapping's applies.
            await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> engine.guard().reconciling("acct"));
        }
        // After the outage the write is reconciled (reset, sent again) and the newer value follows;
        // the echo of 'Outage 1' arrives in between and must not land over 'Outage 2'.
        await().atMost(Duration.ofSeconds(90)).until(() -> "Outage 2".equals(record(sfid).get("Name").asText()));
        drained();
        assertThat(e2e.text("SELECT name FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("Outage 2");
        assertThat(record(sfid).get("Name").asText()).isEqualTo("Outage 2");
    }

    @Test
    void aCreateInterruptedByAStopIsAdoptedNotDuplicated() throws Exception {
        engine.stopOutbound();
        engine.stopStreams();
        try {
            String name = "Interrupted " + UUID.randomUUID();
            long key;
            // The row as Sluice's writer saw it when the process stopped: its create was on the wire.
            try (Connection c = appConnection()) {
                try (var st = c.createStatement()) {
                    // tagged like Sluice's own writes, so the capture does not see this set-up insert
                    st.execute("SELECT pg_replication_origin_create('sluice_99') WHERE NOT EXISTS "
                            + "(SELECT 1 FROM pg_replication_origin WHERE roname = 'sluice_99')");
                    st.execute("SELECT pg_replication_origin_session_setup('sluice_99')");
                }
                key = insert(c, name, null, "Gent");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync.outbound_change "
                        + "(mapping, op, pg_key, fields, commit_at, lsn, status, sending_at, attempts) VALUES "
                        + "('acct', 'UPSERT', ?, ?::jsonb, now(), ?, 'sending', now(), 1)")) {
                    ps.setString(1, Long.toString(key));
                    ps.setString(2, "{\"Name\":\"" + name + "\",\"BillingCity\":\"Gent\",\"AnnualRevenue\":2500000}");
                    ps.setLong(3, SYNTHETIC_LSN - key); // not a WAL position, nor a dead-letter retry's (minus its id)
                    ps.executeUpdate();
                }
                try (var st = c.createStatement()) {
                    st.execute("SELECT pg_replication_origin_session_reset()");
                }
            }
            // ... and Salesforce had created it (its change event, an echo, is waiting in the stream).
            EmulatorHttp.Reply r = sf.send("POST", V + "/sobjects/Account", "{\"Name\":\"" + name
                    + "\",\"BillingCity\":\"Gent\",\"AnnualRevenue\":2500000}", Map.of("Sforce-Call-Options", "client=sluice"));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            String created = r.json().get("id").asText();
            long creates = calls(CREATE);

            engine.outbound().writer().recover();

            assertThat(e2e.text("SELECT sfid FROM " + TABLE + " WHERE id = ?", key)).isEqualTo(created);
            assertThat(e2e.text("SELECT status FROM sync.outbound_change WHERE lsn = ?", SYNTHETIC_LSN - key)).isEqualTo("sent");
            assertThat(calls(CREATE)).isEqualTo(creates);
        } finally {
            engine.startOutbound();
            engine.startStreams();
        }
        drained();
        assertThat(count("SELECT count() FROM Account WHERE Name LIKE 'Interrupted %'")).isEqualTo(1);
        // The echo of the adopted create did not become a second row.
        assertThat(e2e.scalar("SELECT count(*) FROM " + TABLE + " WHERE name LIKE 'Interrupted %'")).isEqualTo(1);
    }

    @Test
    void stoppedWhileBothSidesChangeThenEverythingConverges() throws Exception {
        long key = insert("Offline", "Banking", "Graz");
        String sfid = awaitSfid(key);
        drained();
        long creates = createCalls();
        engine.stopOutbound();
        engine.stopStreams();
        try {
            app("UPDATE " + TABLE + " SET billing_city = 'Linz' WHERE id = " + key);
            e2e.update("Account", sfid, "{\"Industry\":\"Energy\"}");
            app("INSERT INTO " + TABLE + " (name, billing_city, annual_revenue) VALUES ('Offline new', 'Wels', 1)");
        } finally {
            engine.startOutbound();
            engine.startStreams();
        }
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "Linz".equals(record(sfid).get("BillingCity").asText()));
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "Energy".equals(
                e2e.text("SELECT industry FROM " + TABLE + " WHERE id = ?", key)));
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.text(
                "SELECT sfid FROM " + TABLE + " WHERE name = 'Offline new'") != null);
        drained();
        assertThat(record(sfid).get("Industry").asText()).isEqualTo("Energy");
        assertThat(e2e.text("SELECT billing_city FROM " + TABLE + " WHERE id = ?", key)).isEqualTo("Linz");
        assertThat(createCalls() - creates).as("create calls, direct or in a Composite call").isEqualTo(1);
        assertThat(count("SELECT count() FROM Account WHERE Name = 'Offline new'")).isEqualTo(1);
    }

    @Test
    void aDeleteIsNotSentWhenTheMappingIgnoresDeletesInSalesforce() {
        long deletes = calls(DELETE);
        long key;
        try (Connection c = appConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO public.tw_contact (last_name, email) VALUES ('Keep', 'keep@example.com') RETURNING id")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                key = rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        String sfid = await().atMost(SyncTestSupport.LANDS_WITHIN).until(
                () -> e2e.text("SELECT sfid FROM public.tw_contact WHERE id = ?", key), java.util.Objects::nonNull);
        app("DELETE FROM public.tw_contact WHERE id = " + key);
        // The acct mapping's delete behind it shows the capture has passed the contact's delete.
        long marker = insert("After ignored delete", null, "Riga");
        String markerId = awaitSfid(marker);
        app("DELETE FROM " + TABLE + " WHERE id = " + marker);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> sf.get(V + "/sobjects/Account/" + markerId).status() == 404);
        drained();
        assertThat(calls(DELETE) - deletes).isEqualTo(1); // the marker's
        EmulatorHttp.Reply kept = sf.get(V + "/sobjects/Contact/" + sfid);
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.json().get("LastName").asText()).isEqualTo("Keep");
        assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE mapping = 'contact_keep' AND op = 'DELETE'"))
                .isZero();
    }

    @Test
    void aRowInsertedAgainWithADeletedRowsKeyBecomesANewRecord() {
        long key = e2e.scalar("SELECT nextval(pg_get_serial_sequence('" + TABLE + "', 'id'))");
        app("INSERT INTO " + TABLE + " (id, name, billing_city) OVERRIDING SYSTEM VALUE VALUES (" + key + ", 'First life', 'Kyiv')");
        String first = awaitSfid(key);
        app("DELETE FROM " + TABLE + " WHERE id = " + key);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> sf.get(V + "/sobjects/Account/" + first).status() == 404);
        drained();
        long creates = calls(CREATE);
        app("INSERT INTO " + TABLE + " (id, name, billing_city) OVERRIDING SYSTEM VALUE VALUES (" + key + ", 'Second life', 'Kyiv')");
        String second = awaitSfid(key);
        drained();
        assertThat(second).isNotEqualTo(first);
        assertThat(record(second).get("Name").asText()).isEqualTo("Second life");
        assertThat(calls(CREATE) - creates).isEqualTo(1);
        assertThat(e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE mapping = 'acct' AND record_id IN (?, ?, ?)",
                Long.toString(key), first, second)).isZero();
    }

    @Test
    void readinessReportsTheSlotsRetainedWal() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'sync-replication-slot' }.status", is("UP"))
                .body("checks.find { it.name == 'sync-replication-slot' }.data.capturing", is(true))
                .body("checks.find { it.name == 'sync-replication-slot' }.data.lagBytes",
                        greaterThanOrEqualTo(0))
                // heartbeats every second in this profile: the capture is never silent for long
                .body("checks.find { it.name == 'sync-replication-slot' }.data.lastEventMillisAgo",
                        lessThan(30_000));
    }

    @Test
    void statusShowsTheQueueOfEachMappingToSalesforce() {
        long key = insert("Status Co", null, "Graz");
        awaitSfid(key);
        drained();
        given().when().get("/sync/status").then().statusCode(200)
                .body("toSalesforce.slot", is("sluice"))
                .body("toSalesforce.capturing", is(true))
                .body("toSalesforce.slotRetainedWalBytes", greaterThanOrEqualTo(0))
                .body("toSalesforce.mappings.mapping", hasItems("acct", "contact_keep"))
                .body("toSalesforce.mappings.find { it.mapping == 'acct' }.table", is(TABLE))
                .body("toSalesforce.mappings.find { it.mapping == 'acct' }.queue.pending", is(0))
                .body("toSalesforce.mappings.find { it.mapping == 'acct' }.queue.sent", greaterThanOrEqualTo(1))
                .body("toSalesforce.mappings.find { it.mapping == 'acct' }.lastSentAt", notNullValue());
        assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE mapping = 'acct' AND status = 'sent'"))
                .isEqualTo(given().when().get("/sync/status").then().extract().<Number>path("toSalesforce.mappings.find { it.mapping == 'acct' }.queue.sent")
                        .longValue());
    }

    @Test
    void aRefusedCreateIsRetriedWithTheRowsCurrentValuesAndTheRecordLandsOnce() {
        String city = "Refused " + UUID.randomUUID().toString().substring(0, 8);
        long key = insert(null, "Energy", city); // Salesforce requires a Name
        long letter = awaitLetter(key);
        given().queryParam("mapping", "acct").get("/sync/dead-letters").then().statusCode(200)
                .body("find { it.id == " + letter + " }.direction", is("to-salesforce"))
                .body("find { it.id == " + letter + " }.error", containsString("REQUIRED_FIELD_MISSING"));
        assertThat(e2e.text("SELECT status FROM sync.outbound_change WHERE dead_letter = ?", letter)).isEqualTo("failed");

        // Retried before the cause is fixed: refused again, and counted on the same letter.
        given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(200)
                .body("status", is("retrying")).body("queued", is("UPSERT"));
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.scalar(
                "SELECT attempts FROM sync.dead_letter WHERE id = ?", letter) == 2);
        assertThat(e2e.text("SELECT status FROM sync.dead_letter WHERE id = ?", letter)).isEqualTo("retrying");
        assertThat(e2e.text("SELECT error FROM sync.dead_letter WHERE id = ?", letter)).contains("REQUIRED_FIELD_MISSING");
        assertThat(e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE mapping = 'acct' AND record_id = ?",
                Long.toString(key))).isEqualTo(1);

        // The application fixes the row; that change creates the record, complete: a record to
        // create gets the row's current columns, not only what the update changed.
        String name = "Fixed " + city;
        app("UPDATE " + TABLE + " SET name = '" + name + "' WHERE id = " + key);
        String sfid = awaitSfid(key);
        assertThat(record(sfid).get("BillingCity").asText()).isEqualTo(city);
        assertThat(record(sfid).get("Industry").asText()).isEqualTo("Energy");

        // The letter is still open: its retry sends the row as it is now to that record.
        given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(200).body("status", is("retrying"));
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "resolved".equals(
                e2e.text("SELECT status FROM sync.dead_letter WHERE id = ?", letter)));
        drained();
        JsonNode landed = record(sfid);
        assertThat(landed.get("Name").asText()).isEqualTo(name);
        assertThat(landed.get("BillingCity").asText()).isEqualTo(city);
        assertThat(landed.get("Industry").asText()).isEqualTo("Energy");
        assertThat(new BigDecimal(landed.get("AnnualRevenue").asText())).isEqualByComparingTo("2500000");
        assertThat(count("SELECT count() FROM Account WHERE BillingCity = '" + city + "'")).isEqualTo(1);
        assertThat(e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE mapping = 'acct' AND record_id IN (?, ?)"
                + " AND status IN ('new', 'retrying')", Long.toString(key), sfid)).isZero();
        given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(409)
                .body("error", containsString("resolved"));
    }

    @Test
    void aRetryQueuedBeforeTheFixIsCapturedCreatesTheRecordFromTheFixedRow() throws Exception {
        String city = "Refused " + UUID.randomUUID().toString().substring(0, 8);
        long key = insert(null, "Retail", city);
        long letter = awaitLetter(key);
        engine.stopOutbound();
        String name = "Fixed " + city;
        try {
            app("UPDATE " + TABLE + " SET name = '" + name + "' WHERE id = " + key);
            given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(200).body("queued", is("UPSERT"));
            given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(409)
                    .body("error", containsString("still queued"));
        } finally {
            engine.startOutbound();
        }
        String sfid = awaitSfid(key);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "resolved".equals(
                e2e.text("SELECT status FROM sync.dead_letter WHERE id = ?", letter)));
        drained();
        assertThat(count("SELECT count() FROM Account WHERE BillingCity = '" + city + "'")).isEqualTo(1);
        JsonNode landed = record(sfid);
        assertThat(landed.get("Name").asText()).isEqualTo(name);
        assertThat(landed.get("Industry").asText()).isEqualTo("Retail");
    }

    @Test
    void theLettersOfARowDeletedSinceAreResolvedWithoutAWriteOrRefusedWhenNothingCanBeDeleted() {
        String city = "Refused " + UUID.randomUUID().toString().substring(0, 8);
        long key = insert(null, null, city);
        long createLetter = awaitLetter(key);
        long deletes = calls(DELETE);
        app("DELETE FROM " + TABLE + " WHERE id = " + key);
        // The delete of a record that never reached Salesforce names no Id: a letter of its own.
        long deleteLetter = await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.scalar(
                "SELECT coalesce(max(id), 0) FROM sync.dead_letter WHERE mapping = 'acct' AND record_id = ? AND id > ?",
                Long.toString(key), createLetter), id -> id > 0);

        given().post("/sync/dead-letters/" + createLetter + "/retry").then().statusCode(200)
                .body("status", is("resolved")).body("queued", nullValue()).body("note", containsString("no longer exists"));
        given().post("/sync/dead-letters/" + deleteLetter + "/retry").then().statusCode(400)
                .body("error", containsString("Salesforce Id is unknown"));
        given().post("/sync/dead-letters/" + deleteLetter + "/ignore").then().statusCode(200).body("status", is("ignored"));
        given().post("/sync/dead-letters/" + deleteLetter + "/ignore").then().statusCode(409)
                .body("error", containsString("ignored already"));
        given().post("/sync/dead-letters/" + Long.MAX_VALUE + "/retry").then().statusCode(404)
                .body("error", containsString("no dead letter"));
        given().post("/sync/dead-letters/" + Long.MAX_VALUE + "/ignore").then().statusCode(404);

        drained();
        assertThat(count("SELECT count() FROM Account WHERE BillingCity = '" + city + "'")).isZero();
        assertThat(calls(DELETE)).isEqualTo(deletes);
        assertThat(e2e.text("SELECT string_agg(status, ',' ORDER BY id) FROM sync.dead_letter WHERE id IN (?, ?)",
                createLetter, deleteLetter)).isEqualTo("resolved,ignored");
    }

    @Test
    void ignoringALetterWithdrawsItsQueuedRetry() throws Exception {
        String city = "Refused " + UUID.randomUUID().toString().substring(0, 8);
        long key = insert(null, null, city);
        long letter = awaitLetter(key);
        long creates = calls(CREATE);
        engine.stopOutbound();
        try {
            given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(200).body("queued", is("UPSERT"));
            given().post("/sync/dead-letters/" + letter + "/ignore").then().statusCode(200).body("status", is("ignored"));
            assertThat(e2e.scalar("SELECT count(*) FROM sync.outbound_change WHERE dead_letter = ? AND status = 'pending'",
                    letter)).isZero();
        } finally {
            engine.startOutbound();
        }
        drained();
        assertThat(calls(CREATE)).isEqualTo(creates);
        assertThat(e2e.text("SELECT status FROM sync.dead_letter WHERE id = ?", letter)).isEqualTo("ignored");
        given().post("/sync/dead-letters/" + letter + "/retry").then().statusCode(409).body("error", containsString("ignored"));
    }

    @Test
    void createsUpdatesAndDeletesOfOneRoundGoOutInOneCompositeCall() throws Exception {
        long updated = insert("Composite update", "Banking", "Oslo");
        long deleted = insert("Composite delete", "Banking", "Riga");
        String updatedId = awaitSfid(updated);
        String deletedId = awaitSfid(deleted);
        drained();
        Map<String, Long> before = org.counters().snapshot();

        List<Long> created = held(4, () -> {
            List<Long> keys = List.of(insert("Composite new 1", "Energy", "Kyiv"), insert("Composite new 2", "Energy", "Baku"));
            app("UPDATE " + TABLE + " SET billing_city = 'Bergen' WHERE id = " + updated);
            app("DELETE FROM " + TABLE + " WHERE id = " + deleted);
            return List.of(keys.get(0), keys.get(1), updated, deleted);
        }).subList(0, 2);

        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> sf.get(V + "/sobjects/Account/" + deletedId).status() == 404);
        List<String> createdIds = created.stream().map(this::awaitSfid).toList();
        drained();
        assertThat(createdIds).extracting(id -> record(id).get("Name").asText()).containsExactly("Composite new 1", "Composite new 2");
        assertThat(record(updatedId).get("BillingCity").asText()).isEqualTo("Bergen");
        assertThat(delta(before, COMPOSITE)).as("one Composite call for the round").isEqualTo(1);
        assertThat(delta(before, IN_COMPOSITE + CREATE)).isEqualTo(1);
        assertThat(delta(before, IN_COMPOSITE + UPDATE)).isEqualTo(1);
        assertThat(delta(before, IN_COMPOSITE + DELETE)).isEqualTo(1);
        assertThat(List.of(delta(before, CREATE), delta(before, UPDATE), delta(before, DELETE)))
                .as("no direct sObject Collections call").containsOnly(0L);
    }

    @Test
    void aRecordRefusedInsideACompositeCallIsDeadLetteredWhileTheRestLands() throws Exception {
        long updated = insert("Composite refused", "Banking", "Kiel");
        String updatedId = awaitSfid(updated);
        drained();
        Map<String, Long> before = org.counters().snapshot();
        String city = "Nameless " + UUID.randomUUID().toString().substring(0, 8);

        List<Long> keys = held(3, () -> {
            long nameless = insert(null, "Energy", city); // Salesforce requires a Name
            long named = insert("Composite named", "Energy", city);
            app("UPDATE " + TABLE + " SET industry = 'Retail' WHERE id = " + updated);
            return List.of(nameless, named, updated);
        });

        long letter = awaitLetter(keys.get(0));
        String namedId = awaitSfid(keys.get(1));
        drained();
        assertThat(e2e.text("SELECT error FROM sync.dead_letter WHERE id = ?", letter)).contains("REQUIRED_FIELD_MISSING");
        assertThat(e2e.text("SELECT status FROM sync.outbound_change WHERE dead_letter = ?", letter)).isEqualTo("failed");
        assertThat(e2e.text("SELECT sfid FROM " + TABLE + " WHERE id = ?", keys.get(0))).isNull();
        assertThat(record(namedId).get("Name").asText()).isEqualTo("Composite named");
        assertThat(record(updatedId).get("Industry").asText()).isEqualTo("Retail");
        assertThat(count("SELECT count() FROM Account WHERE BillingCity = '" + city + "'")).isEqualTo(1);
        assertThat(delta(before, COMPOSITE)).isEqualTo(1);
        assertThat(delta(before, CREATE) + delta(before, UPDATE)).isZero();
    }

    @Test
    void aCompositeSubrequestThatFailsTransientlyIsRetriedAloneAndTheOthersLandOnce() throws Exception {
        long updated = insert("Composite locked", "Banking", "Turku");
        String updatedId = awaitSfid(updated);
        drained();
        Map<String, Long> before = org.counters().snapshot();
        org.faults().add(IN_COMPOSITE + UPDATE, emulator.admin.Faults.Kind.UNABLE_TO_LOCK_ROW, 1);

        long createdKey = held(2, () -> {
            long k = insert("Composite beside a lock", "Energy", "Tartu");
            app("UPDATE " + TABLE + " SET billing_city = 'Oulu' WHERE id = " + updated);
            return List.of(k, updated);
        }).get(0);

        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> "Oulu".equals(record(updatedId).get("BillingCity").asText()));
        awaitSfid(createdKey);
        drained();
        assertThat(count("SELECT count() FROM Account WHERE Name = 'Composite beside a lock'")).isEqualTo(1);
        assertThat(delta(before, COMPOSITE)).isEqualTo(1);
        assertThat(delta(before, IN_COMPOSITE + UPDATE)).as("refused once").isEqualTo(1);
        assertThat(delta(before, UPDATE)).as("then retried alone, directly").isEqualTo(1);
        assertThat(delta(before, CREATE)).isZero();
        assertThat(e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE mapping = 'acct' AND record_id = ?",
                Long.toString(updated))).isZero();
    }

    // --- helpers

    /**
     * Runs {@code changes} (returning the keys of the rows written) while the writer is stopped,
     * waits until the capture has queued {@code queued} changes of those keys, and starts the
     * writer again: its first round sees them all.
     */
    private List<Long> held(int queued, java.util.concurrent.Callable<List<Long>> changes) throws Exception {
        camel.getRouteController().stopRoute(PostgresToSalesforceRoute.WRITER_ROUTE);
        try {
            List<Long> keys = changes.call();
            Object[] pgKeys = keys.stream().map(String::valueOf).toArray();
            await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> {
                engine.outbound().queue().flush();
                try (Connection c = appConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM"
                        + " sync.outbound_change WHERE mapping = 'acct' AND status = 'pending' AND pg_key = ANY(?)")) {
                    ps.setArray(1, c.createArrayOf("text", pgKeys));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1) >= queued;
                    }
                }
            });
            return keys;
        } finally {
            camel.getRouteController().startRoute(PostgresToSalesforceRoute.WRITER_ROUTE);
        }
    }

    /** sObject Collections create calls, made directly or as a subrequest of a Composite call. */
    private long createCalls() {
        return calls(CREATE) + calls(IN_COMPOSITE + CREATE);
    }

    private long delta(Map<String, Long> before, String counter) {
        return calls(counter) - before.getOrDefault(counter, 0L);
    }


    private long insert(String name, String industry, String city) {
        try (Connection c = appConnection()) {
            return insert(c, name, industry, city);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long insert(Connection c, String name, String industry, String city) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (name, industry, billing_city, annual_revenue) VALUES (?, ?, ?, 2500000) RETURNING id")) {
            ps.setString(1, name);
            ps.setString(2, industry);
            ps.setString(3, city);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The to-salesforce dead letter of the row with {@code key}, once it is written. */
    private long awaitLetter(long key) {
        return await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> e2e.scalar(
                "SELECT coalesce(min(id), 0) FROM sync.dead_letter WHERE mapping = 'acct' AND direction = 'to-salesforce'"
                        + " AND record_id = ?", Long.toString(key)), id -> id > 0);
    }

    private String awaitSfid(long key) {
        return await().atMost(SyncTestSupport.LANDS_WITHIN).until(
                () -> e2e.text("SELECT sfid FROM " + TABLE + " WHERE id = ?", key), java.util.Objects::nonNull);
    }

    private long xmin(long key) {
        return e2e.scalar("SELECT xmin::text::bigint FROM " + TABLE + " WHERE id = ?", key);
    }

    private JsonNode record(String sfid) {
        return e2e.record("Account", sfid);
    }

    private long count(String soql) {
        return e2e.soqlCount(soql);
    }

    private long calls(String endpoint) {
        return e2e.calls(endpoint);
    }

    private void drained() {
        e2e.drained(TABLE);
    }
}
