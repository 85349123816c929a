package routes;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.flow.SyncEngine;
import sync.staging.StagingArea;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;
import sync.testing.S3Resource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Files other tools drop under {@code inbound/<mapping>/} of the staging area (S3 here) are
 * applied with the change events' upsert, the latest LastModifiedDate of each record winning
 * within a file and across files, unreadable records are dead-lettered while the rest apply, and
 * each file moves out of the inbound prefix once loaded. Shares the boot of
 * {@link SalesforceToPostgresTest}.
 */
@QuarkusTest
@TestProfile(SalesforceToPostgresProfile.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(EmulatorResource.class)
class InboundFilesTest {
    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    StagingArea staging;

    SyncTestSupport e2e;

    @BeforeEach
    void connect() {
        e2e = SyncTestSupport.connect(db, engine, 2);
    }

    @Test
    void jsonLinesAndCsvApplyTheLatestVersionOfEachRecordAndMoveToDone() throws Exception {
        String a = SyncTestSupport.newAccountId();
        String b = SyncTestSupport.newAccountId();
        String c = SyncTestSupport.newAccountId();
        String run = Long.toString(System.nanoTime(), 36);
        String jsonKey = "inbound/account/" + run + "-1-appflow.jsonl";
        String csvKey = "inbound/account/" + run + "-2-export.csv";
        String json = String.join("\n",
                "{\"attributes\":{\"type\":\"Account\"},\"Id\":\"" + a + "\",\"Name\":\"Json One\",\"Industry\":\"Energy\","
                        + "\"NumberOfEmployees\":12,\"AnnualRevenue\":2500000,\"LastModifiedDate\":\"2026-03-01T10:00:00.000+0000\"}",
                "{\"Id\":\"" + b + "\",\"Name\":\"Json Two (old)\",\"Industry\":\"Energy\",\"LastModifiedDate\":\"2026-03-01T10:00:00.000+0000\"}",
                "{\"Id\":\"" + b + "\",\"Name\":\"Json Two\",\"Industry\":null,\"LastModifiedDate\":\"2026-03-02T10:00:00.000Z\"}",
                "");
        // CRLF line ends, a quoted field with a comma, one with a line break, doubled quotes; the
        // newer version of c comes first, and a's version here is older than the JSON file's.
        String csv = String.join("\r\n",
                "Id,Name,Industry,NumberOfEmployees,BillingStreet,Description,LastModifiedDate",
                c + ",\"Quoted, Inc.\",Retail,250,\"1 Main St\nSuite 2\",\"He said \"\"hi\"\" — ✓\",2026-03-02T09:00:00.000+0000",
                ",No Id Corp,Retail,,,,2026-03-01T10:00:00.000+0000",
                c + ",Quoted Inc (old),Old Industry,1,,,2026-03-01T09:00:00.000+0000",
                a + ",Stale name,,,,,2026-02-01T00:00:00.000+0000",
                "");
        byte[] csvBytes = csv.getBytes(StandardCharsets.UTF_8);
        staging.put(jsonKey, json.getBytes(StandardCharsets.UTF_8));
        staging.put(csvKey, csvBytes);

        String jsonDone = "inbound-done/account/" + run + "-1-appflow.jsonl";
        String csvDone = "inbound-done/account/" + run + "-2-export.csv";
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> staging.list("inbound-done/account/" + run).size() == 2);
        assertThat(staging.list("inbound/account/" + run)).isEmpty();
        assertThat(staging.list("inbound-done/account/" + run)).containsExactly(jsonDone, csvDone);
        assertThat(staging.get(csvDone)).isEqualTo(csvBytes);

        Map<String, Object> rowA = e2e.row("public.sf_account", a);
        assertThat(rowA.get("name")).as("the older version in the later file is a no-op").isEqualTo("Json One");
        assertThat(rowA.get("industry")).isEqualTo("Energy");
        assertThat(((Number) rowA.get("employees")).longValue()).isEqualTo(12);
        assertThat((BigDecimal) rowA.get("annual_revenue")).isEqualByComparingTo("2500000");
        assertThat(((java.sql.Timestamp) rowA.get("last_modified")).toInstant()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));

        Map<String, Object> rowB = e2e.row("public.sf_account", b);
        assertThat(rowB.get("name")).isEqualTo("Json Two");
        assertThat(rowB.get("industry")).isNull();

        Map<String, Object> rowC = e2e.row("public.sf_account", c);
        assertThat(rowC.get("name")).isEqualTo("Quoted, Inc.");
        assertThat(rowC.get("industry")).isEqualTo("Retail");
        assertThat(((Number) rowC.get("employees")).longValue()).isEqualTo(250);
        assertThat(rowC.get("billing_street")).isEqualTo("1 Main St\nSuite 2");
        assertThat(rowC.get("description")).isEqualTo("He said \"hi\" — ✓");
        assertThat(((java.sql.Timestamp) rowC.get("last_modified")).toInstant()).isEqualTo(Instant.parse("2026-03-02T09:00:00Z"));
        assertThat(e2e.scalar("SELECT count(*) FROM public.sf_account WHERE name = 'No Id Corp'")).isZero();

        // The record without Id, and only it, is dead-lettered with its file, line and text.
        assertThat(e2e.scalar("SELECT count(*) FROM sync.dead_letter WHERE payload->>'key' IN (?, ?)", jsonKey, csvKey))
                .isEqualTo(1);
        JsonNode dead = EmulatorHttp.JSON.readTree(e2e.text("SELECT payload::text FROM sync.dead_letter WHERE mapping = 'account'"
                + " AND direction = 'to-postgres' AND payload->>'key' = ?", csvKey));
        assertThat(dead.get("kind").asText()).isEqualTo("inbound-record");
        assertThat(dead.get("line").asInt()).isEqualTo(4);
        assertThat(dead.get("header").asText()).startsWith("Id,Name,Industry");
        assertThat(dead.get("record").asText()).isEqualTo(",No Id Corp,Retail,,,,2026-03-01T10:00:00.000+0000");
        assertThat(dead.get("reason").asText()).contains("no Id");
        assertThat(e2e.text("SELECT error FROM sync.dead_letter WHERE payload->>'key' = ?", csvKey))
                .contains(csvKey, "line 4", "no Id");
    }

    @Test
    void fileWithoutOneReadableRecordMovesToFailedAndIsDeadLettered() {
        String run = Long.toString(System.nanoTime(), 36);
        String key = "inbound/account/" + run + "-notes.txt";
        staging.put(key, "not a record".getBytes(StandardCharsets.UTF_8));

        String failed = "inbound-failed/account/" + run + "-notes.txt";
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> staging.list(failed).contains(failed));
        assertThat(staging.list(key)).isEmpty();
        assertThat(staging.list("inbound-done/account/" + run)).isEmpty();
        assertThat(e2e.text("SELECT payload->>'kind' FROM sync.dead_letter WHERE payload->>'key' = ?", key))
                .isEqualTo("inbound-file");
        assertThat(e2e.text("SELECT error FROM sync.dead_letter WHERE payload->>'key' = ?", key))
                .contains(failed, "unsupported file type");
    }
}
