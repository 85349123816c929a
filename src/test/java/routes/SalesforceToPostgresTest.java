package routes;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import emulator.SalesforceEmulator;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.flow.SyncEngine;
import sync.staging.StagingArea;
import sync.staging.StagingKeys;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;
import sync.testing.S3Resource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static emulator.EmulatorHttp.V;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Salesforce -> PostgreSQL end to end: changes made in the emulator through its APIs reach the
 * tables through the real camel-salesforce subscription, S3 staging (s3proxy) and the batched
 * apply, through restarts, expired positions, gaps, overflows and bad data.
 */
@QuarkusTest
@TestProfile(SalesforceToPostgresProfile.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(EmulatorResource.class)
class SalesforceToPostgresTest {
    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    StagingArea staging;

    SyncTestSupport e2e;
    SalesforceEmulator org;
    EmulatorHttp sf;

    @BeforeEach
    void connect() {
        e2e = SyncTestSupport.connect(db, engine, 2);
        org = e2e.org();
        sf = e2e.sf();
    }

    @Test
    void createPartialUpdateNullingDeleteAndUndelete() {
        e2e.accountLifecycleLands();

        // The raw changelog is staged in S3, by object, named by replay range.
        assertThat(staging.list(StagingKeys.changesPrefix("Account"))).isNotEmpty()
                .allSatisfy(k -> assertThat(StagingKeys.parse(k)).isPresent());
    }

    @Test
    void everyTypeConvertsAndSoftDeletesFollowThePolicy() {
        String account = e2e.create("Account", "{\"Name\":\"Invoiced\"}");
        String notes = "Zeile ✓ ".repeat(12_000);
        String id = e2e.create("Invoice__c", "{\"Name\":\"INV-1\",\"Account__c\":\"" + account + "\",\"Amount__c\":1234.56,"
                + "\"Discount__c\":12.5,\"Line_Count__c\":7,\"Due_Date__c\":\"2026-02-28\","
                + "\"Issued_At__c\":\"2026-01-15T08:30:00.000+0000\",\"Reminder_Time__c\":\"09:15:00.000Z\","
                + "\"Paid__c\":true,\"Status__c\":\"Sent\",\"Tags__c\":\"Urgent;Export\",\"Notes__c\":\"" + notes + "\","
                + "\"Customer_Email__c\":\"billing@example.com\"}");
        Map<String, Object> r = e2e.awaitRow("public.sf_invoice", id, x -> "INV-1".equals(x.get("name")));
        assertThat(r.get("account_id")).isEqualTo(account);
        assertThat((BigDecimal) r.get("amount")).isEqualByComparingTo("1234.56");
        assertThat((BigDecimal) r.get("discount")).isEqualByComparingTo("12.5");
        assertThat(((Number) r.get("line_count")).longValue()).isEqualTo(7);
        assertThat(r.get("due_date").toString()).isEqualTo(LocalDate.of(2026, 2, 28).toString());
        assertThat(((java.sql.Timestamp) r.get("issued_at")).toInstant())
                .isEqualTo(OffsetDateTime.of(2026, 1, 15, 8, 30, 0, 0, ZoneOffset.UTC).toInstant());
        assertThat(r.get("reminder_time").toString()).startsWith(LocalTime.of(9, 15).toString());
        assertThat(r.get("paid")).isEqualTo(true);
        assertThat(r.get("status")).isEqualTo("Sent");
        assertThat(r.get("tags")).isEqualTo("Urgent;Export");
        assertThat(r.get("notes")).isEqualTo(notes);
        assertThat(r.get("customer_email")).isEqualTo("billing@example.com");
        assertThat(r.get("is_deleted")).isEqualTo(false);

        assertThat(sf.delete(V + "/sobjects/Invoice__c/" + id).status()).isEqualTo(204);
        e2e.awaitRow("public.sf_invoice", id, x -> Boolean.TRUE.equals(x.get("is_deleted")));
        sf.admin("undelete", "{\"ids\":[\"" + id + "\"]}");
        e2e.awaitRow("public.sf_invoice", id, x -> Boolean.FALSE.equals(x.get("is_deleted")));
    }

    @Test
    void mergedEventAppliesToEveryRecordItNames() {
        String a = e2e.create("Account", "{\"Name\":\"M1\"}");
        String b = e2e.create("Account", "{\"Name\":\"M2\"}");
        e2e.awaitRow("public.sf_account", b, r -> true);
        EmulatorHttp.Reply r = sf.patch(V + "/composite/sobjects", "{\"records\":["
                + "{\"attributes\":{\"type\":\"Account\"},\"id\":\"" + a + "\",\"Industry\":\"Energy\"},"
                + "{\"attributes\":{\"type\":\"Account\"},\"id\":\"" + b + "\",\"Industry\":\"Energy\"}]}");
        assertThat(r.status()).isEqualTo(200);
        e2e.awaitRow("public.sf_account", a, x -> "Energy".equals(x.get("industry")));
        e2e.awaitRow("public.sf_account", b, x -> "Energy".equals(x.get("industry")));
    }

    @Test
    void gapEventRereadsTheRecord() {
        String id = e2e.create("Account", "{\"Name\":\"Gappy\"}");
        e2e.awaitRow("public.sf_account", id, r -> true);
        sf.admin("silent-write", "{\"object\":\"Account\",\"id\":\"" + id + "\",\"fields\":{\"Name\":\"Changed in the database\"}}");
        sf.admin("events/gap", "{\"object\":\"Account\",\"changeType\":\"GAP_UPDATE\",\"recordIds\":[\"" + id + "\"]}");
        e2e.awaitRow("public.sf_account", id, r -> "Changed in the database".equals(r.get("name")));
    }

    @Test
    void overflowResyncsTheObject() {
        sf.admin("settings", "{\"overflowThreshold\":3}");
        try {
            StringBuilder records = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                records.append(i == 0 ? "" : ",").append("{\"attributes\":{\"type\":\"Account\"},\"Name\":\"Overflow-")
                        .append(i).append("\"}");
            }
            JsonNode results = sf.post(V + "/composite/sobjects", "{\"records\":[" + records + "]}").json();
            for (JsonNode result : results) {
                e2e.awaitRow("public.sf_account", result.get("id").asText(), r -> r.get("name").toString().startsWith("Overflow-"));
            }
            assertThat(engine.resyncs().jobs("account")).anySatisfy(j -> {
                assertThat(j.get("reason")).isEqualTo("overflow");
                assertThat(j.get("status")).isEqualTo("done");
            });
        } finally {
            sf.admin("settings", "{\"overflowThreshold\":100000}");
        }
    }

    /**
     * A mapping seen for the first time: records that exist before it starts (here written
     * without events, so only the load can bring them) arrive through the initial load, and
     * changes after it through the stream; the status endpoint reports the load's progress.
     */
    @Test
    void newMappingLoadsTheWholeObjectThenStreams() throws Exception {
        String existing;
        engine.stopStreams();
        try {
            // Forget everything about the invoice mapping, as if it had just been configured.
            e2e.sql("DELETE FROM sync.replay_position WHERE channel = '/data/Invoice__ChangeEvent'");
            e2e.sql("DELETE FROM sync.resync_job WHERE mapping = 'invoice'");
            existing = e2e.sf().admin("silent-write", "{\"object\":\"Invoice__c\",\"fields\":{\"Name\":\"Existed before\"}}")
                    .json().get("id").asText();
        } finally {
            engine.startStreams();
        }
        e2e.awaitRow("public.sf_invoice", existing, r -> "Existed before".equals(r.get("name")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(engine.resyncs().jobs("invoice"))
                .anySatisfy(j -> {
                    assertThat(j.get("reason")).isEqualTo("initial-load");
                    assertThat(j.get("status")).isEqualTo("done");
                    assertThat(((Number) j.get("recordsTotal")).longValue()).isPositive();
                    assertThat(((Number) j.get("recordsDone")).longValue()).isEqualTo(((Number) j.get("recordsTotal")).longValue());
                }));
        String after = e2e.create("Invoice__c", "{\"Name\":\"Created after the load\"}");
        e2e.awaitRow("public.sf_invoice", after, r -> "Created after the load".equals(r.get("name")));
    }

    /**
     * The staged changelog can be re-applied: after a table lost rows (say, restored from an old
     * backup), replaying the range brings them back; changes already applied are no-ops.
     */
    @Test
    void stagedRangeReappliesThroughTheReplayEndpoint() {
        String id = e2e.create("Account", "{\"Name\":\"Replayed\",\"BillingCity\":\"Turin\"}");
        e2e.awaitRow("public.sf_account", id, r -> "Turin".equals(r.get("billing_city")));
        long replayId = e2e.scalar("SELECT salesforce_position FROM sync.record_state WHERE mapping = 'account' AND sfid = ?", id);
        e2e.sql("DELETE FROM public.sf_account WHERE sfid = '" + id + "'");
        e2e.sql("DELETE FROM sync.record_state WHERE mapping = 'account' AND sfid = '" + id + "'");

        given().queryParam("mapping", "account").queryParam("from", replayId).queryParam("to", replayId)
                .post("/sync/replay").then().statusCode(200).body("applied", equalTo(1));
        assertThat(e2e.row("public.sf_account", id)).containsEntry("name", "Replayed").containsEntry("billing_city", "Turin");
        given().queryParam("mapping", "account").queryParam("from", replayId).queryParam("to", replayId)
                .post("/sync/replay").then().statusCode(200).body("applied", equalTo(0));
        given().queryParam("mapping", "nope").post("/sync/replay").then().statusCode(404);
    }

    @Test
    void restartResumesFromTheStoredPositionAndEveryChangeLandsOnce() throws Exception {
        String id = e2e.create("Account", "{\"Name\":\"Before stop\"}");
        e2e.awaitRow("public.sf_account", id, r -> true);
        engine.stopStreams();
        String created = e2e.create("Account", "{\"Name\":\"While stopped\"}");
        e2e.update("Account", id, "{\"Name\":\"Renamed while stopped\"}");
        String deleted = e2e.create("Account", "{\"Name\":\"Created and deleted while stopped\"}");
        sf.delete(V + "/sobjects/Account/" + deleted);
        long jobsBefore = e2e.scalar("SELECT count(*) FROM sync.resync_job WHERE mapping = 'account'");
        engine.startStreams();
        e2e.awaitRow("public.sf_account", created, r -> "While stopped".equals(r.get("name")));
        e2e.awaitRow("public.sf_account", id, r -> "Renamed while stopped".equals(r.get("name")));
        e2e.awaitNoRow("public.sf_account", deleted);
        // resumed from the stored replay id: no resync was needed
        assertThat(e2e.scalar("SELECT count(*) FROM sync.resync_job WHERE mapping = 'account'")).isEqualTo(jobsBefore);
        assertThat(e2e.scalar("SELECT count(*) FROM public.sf_account WHERE name = 'While stopped'")).isEqualTo(1);
    }

    @Test
    void expiredPositionResyncsInsteadOfJumpingToLatest() throws Exception {
        String id = e2e.create("Account", "{\"Name\":\"Before expiry\"}");
        e2e.awaitRow("public.sf_account", id, r -> true);
        engine.stopStreams();
        try {
            e2e.update("Account", id, "{\"Name\":\"Changed while stopped, event expired\"}");
            String created = e2e.create("Account", "{\"Name\":\"Created while stopped, event expired\"}");
            // Salesforce keeps events 72 h; here a second, and then every retained event is gone.
            sf.admin("settings", "{\"eventRetentionSeconds\":1}");
            await().atMost(Duration.ofSeconds(10)).until(() -> org.bus().retained().isEmpty());
            engine.startStreams();
            e2e.awaitRow("public.sf_account", id, r -> "Changed while stopped, event expired".equals(r.get("name")));
            e2e.awaitRow("public.sf_account", created, r -> true);
            assertThat(engine.resyncs().jobs("account")).anySatisfy(j -> assertThat(j.get("reason")).isEqualTo("replay-expired"));
        } finally {
            sf.admin("settings", "{\"eventRetentionSeconds\":259200}");
            engine.startStreams();
        }
    }

    @Test
    void constraintViolationsAreDeadLetteredWhileTheRestFlowThenRetried() {
        e2e.sql("ALTER TABLE public.sf_account ADD CONSTRAINT no_evil CHECK (name <> 'Evil Corp') NOT VALID");
        try {
            String bad = e2e.create("Account", "{\"Name\":\"Evil Corp\"}");
            String good = e2e.create("Account", "{\"Name\":\"Good Corp\"}");
            e2e.awaitRow("public.sf_account", good, r -> true);
            long dl = await().atMost(Duration.ofSeconds(30)).until(() -> e2e.scalar(
                    "SELECT coalesce(max(id), 0) FROM sync.dead_letter WHERE mapping = 'account' AND record_id = ? AND status = 'new'", bad),
                    n -> n > 0);
            given().queryParam("mapping", "account").get("/sync/dead-letters").then().statusCode(200);
            String error = given().queryParam("mapping", "account").get("/sync/dead-letters").then().extract()
                    .path("find { it.id == " + dl + " }.error");
            assertThat(error).contains("no_evil");
            assertThat(e2e.row("public.sf_account", bad)).isNull();

            e2e.sql("ALTER TABLE public.sf_account DROP CONSTRAINT no_evil");
            given().post("/sync/dead-letters/" + dl + "/retry").then().statusCode(200).body("applied", equalTo(1));
            assertThat(e2e.row("public.sf_account", bad)).isNotNull();
            assertThat(e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE id = ? AND status = 'resolved'", dl)).isEqualTo(1);
        } finally {
            e2e.sql("ALTER TABLE public.sf_account DROP CONSTRAINT IF EXISTS no_evil");
        }
    }

    @Test
    void malformedEventIsDeadLetteredWithItsPayloadAndTheStreamMovesOn() {
        long before = e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE mapping = 'account' AND payload->>'kind' = 'raw-event'");
        // A header Sluice cannot use (no record ids, a commit time that is not a number).
        sf.admin("events/publish", "{\"channel\":\"/data/AccountChangeEvent\",\"payload\":{\"Name\":\"broken\","
                + "\"ChangeEventHeader\":{\"entityName\":\"Account\",\"changeType\":\"UPDATE\",\"commitTimestamp\":\"soon\"}}}");
        String after = e2e.create("Account", "{\"Name\":\"After the bad event\"}");
        e2e.awaitRow("public.sf_account", after, r -> true);
        await().atMost(Duration.ofSeconds(30)).until(() -> e2e.scalar(
                "SELECT count(*) FROM sync.dead_letter WHERE mapping = 'account' AND payload->>'kind' = 'raw-event'") > before);
    }

    @Test
    void manualResyncLoadsRecordsThatNeverHadEventsAndReportsProgress() {
        String silent = sf.admin("silent-write", "{\"object\":\"Account\",\"fields\":{\"Name\":\"Loaded by resync\"}}")
                .json().get("id").asText();
        given().post("/sync/resync/account").then().statusCode(202);
        e2e.awaitRow("public.sf_account", silent, r -> "Loaded by resync".equals(r.get("name")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/sync/status").then().statusCode(200)
                .body("state", equalTo("RUNNING"))
                .body("mappings.find { it.mapping == 'account' }.resyncJobs[0].status", equalTo("done")));
        List<Map<String, Object>> jobs = engine.resyncs().jobs("account");
        assertThat(((Number) jobs.get(0).get("recordsDone")).longValue()).isPositive();
    }
}
