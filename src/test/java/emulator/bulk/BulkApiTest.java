package emulator.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import emulator.EmulatorHttp.Reply;
import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import emulator.cdc.StreamEvent;
import emulator.model.ObjectDef;
import emulator.store.WriteContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static emulator.EmulatorHttp.V;
import static emulator.EmulatorHttp.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Bulk API 2.0 over HTTP, as a client sees it: job JSON, CSV in and out, state machine and errors. */
class BulkApiTest {
    static final String DATETIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.000\\+0000";
    static SalesforceEmulator org;
    EmulatorHttp http;

    @BeforeAll
    static void start() {
        org = SalesforceEmulator.start(EmulatorOptions.defaults());
    }

    @AfterAll
    static void stop() {
        org.close();
    }

    @BeforeEach
    void login() {
        org.store().reset();
        org.faults().clear();
        http = new EmulatorHttp(org);
        http.login();
    }

    // ------------------------------------------------------------------ helpers

    static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    String createIngest(String json) {
        Reply r = http.post(V + "/jobs/ingest", json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    Reply upload(String id, String csv) {
        return http.send("PUT", V + "/jobs/ingest/" + id + "/batches", csv, Map.of("Content-Type", "text/csv"));
    }

    JsonNode close(String id) {
        Reply r = http.patch(V + "/jobs/ingest/" + id, "{\"state\":\"UploadComplete\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    JsonNode awaitDone(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = http.get(V + "/jobs/ingest/" + id).json();
            String s = last[0].get("state").asText();
            return s.equals("JobComplete") || s.equals("Failed") || s.equals("Aborted");
        });
        return last[0];
    }

    /** create + upload + close + wait. */
    JsonNode run(String jobJson, String csv) {
        String id = createIngest(jobJson);
        assertThat(upload(id, csv).status()).isEqualTo(201);
        close(id);
        return awaitDone(id);
    }

    List<List<String>> results(String id, String which) {
        Reply r = http.get(V + "/jobs/ingest/" + id + "/" + which);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/csv");
        return Csv.parse(r.body(), ',', "LF");
    }

    List<Map<String, Object>> accounts() {
        return org.store().all(org.schema().object("Account"), false);
    }

    Map<String, Object> account(String id) {
        return org.store().find(org.schema().object("Account"), id);
    }

    static void assertNotFound(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.json()).isEqualTo(sample("bulk2-error-not-found.json"));
    }

    static void assertError(Reply r, int status, String code, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json().get(0).get("errorCode").asText()).isEqualTo(code);
        assertThat(r.json().get(0).get("message").asText()).contains(messagePart);
    }

    // ------------------------------------------------------------------ job JSON vs samples

    @Test
    void createIngestJobHasTheSampleKeysAndFormats() {
        JsonNode expected = sample("bulk2-ingest-create-job-response.json");
        Reply r = http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"contentType\":\"CSV\",\"operation\":\"insert\",\"lineEnding\":\"LF\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.header("Sforce-Limit-Info")).startsWith("api-usage=");
        JsonNode job = r.json();
        assertThat(keys(job)).isEqualTo(keys(expected));
        String id = job.get("id").asText();
        assertThat(id).hasSize(18).startsWith("750");
        assertThat(job.get("state").asText()).isEqualTo("Open");
        assertThat(job.get("operation").asText()).isEqualTo("insert");
        assertThat(job.get("object").asText()).isEqualTo("Account");
        assertThat(job.get("createdById").asText()).isEqualTo(org.userId());
        assertThat(job.get("createdDate").asText()).matches(DATETIME);
        assertThat(job.get("systemModstamp").asText()).matches(DATETIME);
        assertThat(job.get("apiVersion").isNumber()).isTrue();
        assertThat(job.get("apiVersion").asDouble()).isEqualTo(61.0);
        assertThat(job.get("contentUrl").asText()).isEqualTo("services/data/v61.0/jobs/ingest/" + id + "/batches");
        assertThat(job.get("concurrencyMode").asText()).isEqualTo("Parallel");
        assertThat(job.get("contentType").asText()).isEqualTo("CSV");
        assertThat(job.get("lineEnding").asText()).isEqualTo("LF");
        assertThat(job.get("columnDelimiter").asText()).isEqualTo("COMMA");
    }

    @Test
    void ingestJobInfoHasTheSampleKeysPlusCounters() {
        JsonNode expected = sample("bulk2-ingest-job-info-response.json");
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"insert\"}");
        JsonNode info = http.get(V + "/jobs/ingest/" + id).json();
        Set<String> extra = new TreeSet<>(keys(info));
        extra.removeAll(keys(expected));
        assertThat(keys(info)).containsAll(keys(expected));
        assertThat(extra).containsExactlyInAnyOrder("numberRecordsProcessed", "numberRecordsFailed");
        assertThat(info.get("jobType").asText()).isEqualTo("V2Ingest");
        for (String k : List.of("retries", "totalProcessingTime", "apiActiveProcessingTime", "apexProcessingTime",
                "numberRecordsProcessed", "numberRecordsFailed", "apiVersion")) {
            assertThat(info.get(k).isNumber()).as(k).isTrue();
        }
        // the same job in the list
        JsonNode list = http.get(V + "/jobs/ingest").json();
        assertThat(keys(list)).containsExactlyInAnyOrder("done", "records", "nextRecordsUrl");
        assertThat(list.get("done").asBoolean()).isTrue();
        assertThat(list.get("nextRecordsUrl").isNull()).isTrue();
        assertThat(list.get("records").findValuesAsText("id")).contains(id);
    }

    @Test
    void closedAndFinishedJobsDropContentUrlAndUpsertJobsNameTheirExternalId() {
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"upsert\",\"externalIdFieldName\":\"pg_id__c\"}");
        JsonNode info = http.get(V + "/jobs/ingest/" + id).json();
        assertThat(info.get("externalIdFieldName").asText()).isEqualTo("Pg_Id__c");
        upload(id, "Pg_Id__c,Name\nk1,A\n");
        JsonNode closed = close(id);
        assertThat(closed.get("state").asText()).isEqualTo("UploadComplete");
        assertThat(closed.has("contentUrl")).isFalse();
        JsonNode done = awaitDone(id);
        assertThat(done.get("state").asText()).isEqualTo("JobComplete");
        assertThat(done.has("contentUrl")).isFalse();
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(1);
    }

    @Test
    void createQueryJobHasTheSampleKeys() {
        JsonNode expected = sample("bulk2-query-create-job-response.json");
        Reply r = http.post(V + "/jobs/query", "{\"operation\":\"query\",\"query\":\"SELECT Id, Name FROM Account\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode job = r.json();
        assertThat(keys(job)).isEqualTo(keys(expected));
        assertThat(job.get("state").asText()).isEqualTo("UploadComplete");
        assertThat(job.get("operation").asText()).isEqualTo("query");
        assertThat(job.get("object").asText()).isEqualTo("Account");
        assertThat(job.get("id").asText()).hasSize(18).startsWith("750");
        assertThat(job.get("apiVersion").isNumber()).isTrue();
        assertThat(job.get("createdDate").asText()).matches(DATETIME);

        JsonNode info = http.get(V + "/jobs/query/" + job.get("id").asText()).json();
        assertThat(info.get("state").asText()).isEqualTo("JobComplete");
        assertThat(info.get("jobType").asText()).isEqualTo("V2Query");
        assertThat(keys(info)).containsAll(keys(expected))
                .containsAll(List.of("numberRecordsProcessed", "retries", "totalProcessingTime"));
        JsonNode list = http.get(V + "/jobs/query").json();
        assertThat(list.get("done").asBoolean()).isTrue();
        assertThat(list.get("records").findValuesAsText("id")).contains(job.get("id").asText());
    }

    // ------------------------------------------------------------------ ingest

    @Test
    void insertsTwentyFiveThousandAccountsInBatchesOfTenThousand() {
        long eventsBefore = org.bus().publishedCount();
        StringBuilder csv = new StringBuilder("Name,NumberOfEmployees,AnnualRevenue,Description\n");
        for (int i = 0; i < 25_000; i++) {
            csv.append("Bulk ").append(i).append(',').append(i).append(',').append(i * 10).append(',');
            csv.append(i % 1000 == 0 ? "\"Line one, with comma\nline \"\"two\"\"\"" : "").append('\n');
        }
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"insert\"}");
        assertThat(upload(id, csv.toString()).status()).isEqualTo(201);
        Reply closing = http.send("PATCH", V + "/jobs/ingest/" + id, "{\"state\":\"UploadComplete\"}",
                Map.of("Content-Type", "application/json", "Sforce-Call-Options", "client=sluice"));
        assertThat(closing.status()).isEqualTo(200);
        JsonNode done = awaitDone(id);
        assertThat(done.get("state").asText()).isEqualTo("JobComplete");
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(25_000);
        assertThat(done.get("numberRecordsFailed").asInt()).isZero();

        List<Map<String, Object>> stored = accounts();
        assertThat(stored).hasSize(25_000);
        Map<String, Object> byName = stored.stream().filter(r -> r.get("Name").equals("Bulk 2000")).findFirst().orElseThrow();
        assertThat(byName.get("NumberOfEmployees")).isEqualTo(2000L);
        assertThat(byName.get("Description")).isEqualTo("Line one, with comma\nline \"two\"");
        assertThat(stored.stream().filter(r -> r.get("Name").equals("Bulk 2001")).findFirst().orElseThrow().get("Description")).isNull();

        List<List<String>> ok = results(id, "successfulResults");
        assertThat(ok.get(0)).containsExactly("sf__Id", "sf__Created", "Name", "NumberOfEmployees", "AnnualRevenue", "Description");
        assertThat(ok).hasSize(25_001);
        Set<String> ids = new HashSet<>();
        for (List<String> row : ok.subList(1, ok.size())) {
            assertThat(row.get(1)).isEqualTo("true");
            ids.add(row.get(0));
        }
        assertThat(ids).hasSize(25_000).allMatch(x -> x.startsWith("001") && x.length() == 18);
        assertThat(results(id, "failedResults")).hasSize(1);
        assertThat(results(id, "unprocessedrecords")).hasSize(1);

        // change events: one per record, three transactions (10,000 + 10,000 + 5,000), bulkapi origin
        assertThat(org.bus().publishedCount() - eventsBefore).isEqualTo(25_000);
        Map<String, Integer> perTransaction = new HashMap<>();
        Set<String> origins = new HashSet<>();
        for (StreamEvent e : org.bus().retained()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> header = (Map<String, Object>) e.payload().get("ChangeEventHeader");
            if (ids.contains(((List<?>) header.get("recordIds")).get(0))) {
                perTransaction.merge((String) header.get("transactionKey"), 1, Integer::sum);
                origins.add((String) header.get("changeOrigin"));
            }
        }
        assertThat(perTransaction.values()).containsExactlyInAnyOrder(10_000, 10_000, 5_000);
        assertThat(origins).containsExactly("com/salesforce/api/bulkapi/61.0;client=sluice");
    }

    @Test
    void upsertsByExternalIdCreatingAndUpdating() {
        JsonNode first = run("{\"object\":\"Account\",\"operation\":\"insert\"}",
                "Name,Pg_Id__c,Phone,Website\nOne,pg-1,111,one.example\nTwo,pg-2,222,two.example\n");
        assertThat(first.get("numberRecordsFailed").asInt()).isZero();
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"upsert\",\"externalIdFieldName\":\"Pg_Id__c\","
                + "\"columnDelimiter\":\"SEMICOLON\",\"lineEnding\":\"CRLF\"}");
        assertThat(upload(id, "Pg_Id__c;Name;Phone;Website\r\npg-1;One v2;;#N/A\r\npg-3;Three;333;\r\n").status()).isEqualTo(201);
        close(id);
        JsonNode done = awaitDone(id);
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(2);
        assertThat(done.get("numberRecordsFailed").asInt()).isZero();

        Map<String, Map<String, Object>> byKey = new HashMap<>();
        accounts().forEach(r -> byKey.put((String) r.get("Pg_Id__c"), r));
        assertThat(byKey).hasSize(3);
        assertThat(byKey.get("pg-1").get("Name")).isEqualTo("One v2");
        assertThat(byKey.get("pg-1").get("Phone")).isEqualTo("111"); // empty = unchanged
        assertThat(byKey.get("pg-1").get("Website")).isNull();        // #N/A = null
        assertThat(byKey.get("pg-2").get("Name")).isEqualTo("Two");
        assertThat(byKey.get("pg-3").get("Phone")).isEqualTo("333");

        Reply raw = http.get(V + "/jobs/ingest/" + id + "/successfulResults");
        assertThat(raw.body()).startsWith("\"sf__Id\";\"sf__Created\";Pg_Id__c;Name;Phone;Website\r\n");
        List<List<String>> ok = Csv.parse(raw.body(), ';', "CRLF");
        Map<String, List<String>> rows = new HashMap<>();
        ok.subList(1, ok.size()).forEach(r -> rows.put(r.get(2), r));
        assertThat(rows.get("pg-1").subList(0, 2)).containsExactly((String) byKey.get("pg-1").get("Id"), "false");
        assertThat(rows.get("pg-3").subList(0, 2)).containsExactly((String) byKey.get("pg-3").get("Id"), "true");
        assertThat(rows.get("pg-1").subList(2, 6)).containsExactly("pg-1", "One v2", "", "#N/A");
    }

    @Test
    void updatesByIdAndReportsUnknownAndMalformedIds() {
        String a = insertAccount("Alpha");
        String b = insertAccount("Beta");
        String deletedLooking = org.store().ids().next("001");
        JsonNode done = run("{\"object\":\"Account\",\"operation\":\"update\"}",
                "Id,Name,NumberOfEmployees\n" + a + ",Alpha 2,5\n" + b.substring(0, 15) + ",Beta 2,\n"
                        + deletedLooking + ",Ghost,1\nnot-an-id,X,1\n,NoId,1\n");
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(5);
        assertThat(done.get("numberRecordsFailed").asInt()).isEqualTo(3);
        assertThat(account(a).get("Name")).isEqualTo("Alpha 2");
        assertThat(account(a).get("NumberOfEmployees")).isEqualTo(5L);
        assertThat(account(b).get("Name")).isEqualTo("Beta 2");

        List<List<String>> failed = results(done.get("id").asText(), "failedResults");
        assertThat(failed.get(0)).containsExactly("sf__Id", "sf__Error", "Id", "Name", "NumberOfEmployees");
        Map<String, List<String>> byName = new HashMap<>();
        failed.subList(1, failed.size()).forEach(r -> byName.put(r.get(3), r));
        assertThat(byName.get("Ghost").get(0)).isEqualTo(deletedLooking);
        assertThat(byName.get("Ghost").get(1)).isEqualTo("INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--");
        assertThat(byName.get("X").get(1)).isEqualTo("MALFORMED_ID:Account ID: id value of incorrect type: not-an-id:Id --");
        assertThat(byName.get("NoId").get(1)).startsWith("MISSING_ARGUMENT:Id not specified");
        List<List<String>> ok = results(done.get("id").asText(), "successfulResults");
        assertThat(ok.subList(1, ok.size())).extracting(r -> r.get(0)).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void deletesByIdIntoTheRecycleBin() {
        String a = insertAccount("Alpha");
        String b = insertAccount("Beta");
        long before = org.bus().publishedCount();
        JsonNode done = run("{\"object\":\"Account\",\"operation\":\"delete\"}", "Id\n" + a + "\n" + b + "\n");
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(2);
        assertThat(done.get("numberRecordsFailed").asInt()).isZero();
        assertThat(accounts()).isEmpty();
        assertThat(account(a).get("IsDeleted")).isEqualTo(true);
        assertThat(org.bus().publishedCount()).isGreaterThan(before);
        List<List<String>> ok = results(done.get("id").asText(), "successfulResults");
        assertThat(ok.get(0)).containsExactly("sf__Id", "sf__Created", "Id");
        assertThat(ok.get(1).get(1)).isEqualTo("false");

        JsonNode again = run("{\"object\":\"Account\",\"operation\":\"delete\"}", "Id\n" + a + "\n");
        assertThat(again.get("numberRecordsFailed").asInt()).isEqualTo(1);
        assertThat(results(again.get("id").asText(), "failedResults").get(1).get(1)).isEqualTo("ENTITY_IS_DELETED:entity is deleted:--");
    }

    @Test
    void partialFailuresLandInFailedResultsWithTheOriginalColumns() {
        JsonNode done = run("{\"object\":\"Account\",\"operation\":\"insert\"}",
                "Name,NumberOfEmployees,CreatedDate\nGood,1,\n,2,\nBad number,abc,\nReadonly,3,2024-01-01T00:00:00Z\n");
        assertThat(done.get("state").asText()).isEqualTo("JobComplete");
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(4);
        assertThat(done.get("numberRecordsFailed").asInt()).isEqualTo(3);
        assertThat(accounts()).extracting(r -> r.get("Name")).containsExactly("Good");
        List<List<String>> failed = results(done.get("id").asText(), "failedResults");
        assertThat(failed.get(0)).containsExactly("sf__Id", "sf__Error", "Name", "NumberOfEmployees", "CreatedDate");
        assertThat(failed).hasSize(4);
        Map<String, String> errors = new LinkedHashMap<>();
        failed.subList(1, failed.size()).forEach(r -> {
            assertThat(r.get(0)).isEmpty();
            errors.put(r.get(2), r.get(1));
        });
        assertThat(errors.get("")).isEqualTo("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --");
        assertThat(errors.get("Bad number"))
                .isEqualTo("INVALID_FIELD:Failed to deserialize field at col 2. Due to, 'abc' is not a valid value for the type xsd:int:--");
        assertThat(errors.get("Readonly")).startsWith("INVALID_FIELD_FOR_INSERT_UPDATE:Unable to create/update fields: CreatedDate.")
                .endsWith(":CreatedDate --");
        assertThat(results(done.get("id").asText(), "successfulResults")).hasSize(2);
    }

    @Test
    void lookupColumnsResolveThroughExternalIds() {
        run("{\"object\":\"Account\",\"operation\":\"insert\"}", "Name,Pg_Id__c\nParent,acc-1\n");
        JsonNode done = run("{\"object\":\"Contact\",\"operation\":\"insert\"}",
                "LastName,Account.Pg_Id__c\nChild,acc-1\nOrphan,acc-404\n");
        assertThat(done.get("numberRecordsFailed").asInt()).isEqualTo(1);
        ObjectDef contact = org.schema().object("Contact");
        Map<String, Object> child = org.store().all(contact, false).get(0);
        assertThat(child.get("AccountId")).isEqualTo(accounts().get(0).get("Id"));
        assertThat(results(done.get("id").asText(), "failedResults").get(1).get(1))
                .isEqualTo("INVALID_FIELD:Foreign key external ID: acc-404 not found for field Pg_Id__c in entity Account:--");
    }

    @Test
    void unknownColumnFailsTheWholeJob() {
        JsonNode done = run("{\"object\":\"Account\",\"operation\":\"insert\"}", "Name,Bogus__c\nA,1\nB,2\n");
        assertThat(done.get("state").asText()).isEqualTo("Failed");
        assertThat(done.get("errorMessage").asText()).isEqualTo("InvalidBatch : Field name not found : Bogus__c");
        assertThat(done.get("numberRecordsProcessed").asInt()).isZero();
        assertThat(accounts()).isEmpty();
        List<List<String>> unprocessed = results(done.get("id").asText(), "unprocessedrecords");
        assertThat(unprocessed).containsExactly(List.of("Name", "Bogus__c"), List.of("A", "1"), List.of("B", "2"));
    }

    @Test
    void lineEndingMismatchFailsTheJob() {
        JsonNode done = run("{\"object\":\"Account\",\"operation\":\"insert\",\"lineEnding\":\"LF\"}", "Name\r\nA\r\n");
        assertThat(done.get("state").asText()).isEqualTo("Failed");
        assertThat(done.get("errorMessage").asText())
                .isEqualTo("ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
        assertThat(accounts()).isEmpty();
    }

    @Test
    void tabDelimitedDataAndSeveralUploads() {
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"insert\",\"columnDelimiter\":\"TAB\"}");
        upload(id, "Name\tPhone\nA\t1\n");
        upload(id, "Name\tPhone\nB\t2\n");
        close(id);
        JsonNode done = awaitDone(id);
        assertThat(done.get("numberRecordsProcessed").asInt()).isEqualTo(2);
        assertThat(accounts()).extracting(r -> r.get("Phone")).containsExactlyInAnyOrder("1", "2");
        assertThat(http.get(V + "/jobs/ingest/" + id + "/successfulResults").body()).startsWith("\"sf__Id\"\t\"sf__Created\"\tName\tPhone\n");
    }

    String insertAccount(String name) {
        ObjectDef account = org.schema().object("Account");
        return org.store().transaction(new WriteContext(org.userId(), "rest", "61.0", null),
                tx -> tx.create(account, new HashMap<>(Map.of("Name", name))));
    }

    // ------------------------------------------------------------------ ingest state machine and errors

    @Test
    void unknownJobsAreNotFound() {
        String missing = org.store().ids().next("750");
        assertNotFound(http.get(V + "/jobs/ingest/" + missing));
        assertNotFound(http.get(V + "/jobs/ingest/nonsense"));
        assertNotFound(upload(missing, "Name\nA\n"));
        assertNotFound(http.patch(V + "/jobs/ingest/" + missing, "{\"state\":\"UploadComplete\"}"));
        assertNotFound(http.delete(V + "/jobs/ingest/" + missing));
        assertNotFound(http.get(V + "/jobs/ingest/" + missing + "/successfulResults"));
        assertNotFound(http.get(V + "/jobs/query/" + missing));
        assertNotFound(http.get(V + "/jobs/query/" + missing + "/results"));
        assertNotFound(http.get(V + "/jobs/other"));
        assertNotFound(http.get("/services/data/v40.0/jobs/ingest"));
        assertNotFound(http.get("/services/data/v46.0/jobs/query"));
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"insert\"}");
        assertNotFound(http.get(V + "/jobs/ingest/" + id + "/nothing"));
    }

    @Test
    void invalidJobDefinitionsAreRejected() {
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Nope__c\",\"operation\":\"insert\"}"), 400, "INVALIDENTITY", "Nope__c");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"operation\":\"merge\"}"), 400, "INVALIDJOB", "merge");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\"}"), 400, "INVALIDJOB", "operation");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"operation\":\"upsert\"}"), 400, "INVALIDJOB",
                "External ID was blank for Account");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"operation\":\"upsert\",\"externalIdFieldName\":\"Name\"}"),
                400, "INVALIDJOB", "does not match an External ID");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"operation\":\"insert\",\"contentType\":\"JSON\"}"),
                400, "INVALIDJOB", "JSON");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"operation\":\"insert\",\"columnDelimiter\":\"STAR\"}"),
                400, "INVALIDJOB", "STAR");
        assertError(http.post(V + "/jobs/ingest", "{\"object\":\"Account\",\"operation\":\"insert\",\"lineEnding\":\"CR\"}"),
                400, "INVALIDJOB", "CR");
        assertError(http.post(V + "/jobs/ingest", "not json"), 400, "JSON_PARSER_ERROR", "");
        assertError(http.send("PUT", V + "/jobs/ingest", "{}", Map.of()), 405, "METHOD_NOT_ALLOWED", "PUT");
    }

    @Test
    void stateMachineErrors() {
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"insert\"}");
        assertError(http.delete(V + "/jobs/ingest/" + id), 400, "INVALIDJOBSTATE", "Open");
        assertError(http.patch(V + "/jobs/ingest/" + id, "{\"state\":\"JobComplete\"}"), 400, "INVALIDJOBSTATE", "JobComplete");
        upload(id, "Name\nA\n");
        close(id);
        assertError(upload(id, "Name\nB\n"), 400, "INVALIDJOBSTATE", "Open");
        awaitDone(id);
        assertError(http.patch(V + "/jobs/ingest/" + id, "{\"state\":\"UploadComplete\"}"), 400, "INVALIDJOBSTATE",
                "Closing already Completed Job not allowed");
        assertError(http.patch(V + "/jobs/ingest/" + id, "{\"state\":\"Aborted\"}"), 400, "INVALIDJOBSTATE",
                "Aborting already Completed Job not allowed");
        assertThat(http.delete(V + "/jobs/ingest/" + id).status()).isEqualTo(204);
        assertNotFound(http.get(V + "/jobs/ingest/" + id));
        assertThat(http.get(V + "/jobs/ingest").json().get("records").findValuesAsText("id")).doesNotContain(id);
    }

    @Test
    void abortingAnOpenJobLeavesEveryRecordUnprocessed() {
        String id = createIngest("{\"object\":\"Account\",\"operation\":\"insert\"}");
        upload(id, "Name\nA\nB\n");
        Reply r = http.patch(V + "/jobs/ingest/" + id, "{\"state\":\"Aborted\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("Aborted");
        assertThat(results(id, "unprocessedrecords")).containsExactly(List.of("Name"), List.of("A"), List.of("B"));
        assertThat(accounts()).isEmpty();
        assertError(upload(id, "Name\nC\n"), 400, "INVALIDJOBSTATE", "Aborted");
        assertThat(http.delete(V + "/jobs/ingest/" + id).status()).isEqualTo(204);
    }

    // ------------------------------------------------------------------ query

    @Test
    void queryResultsPageWithLocatorsUntilNull() {
        ObjectDef account = org.schema().object("Account");
        org.store().transaction(new WriteContext(org.userId(), "rest", "61.0", null), tx -> {
            for (int i = 0; i < 25; i++) {
                Map<String, Object> v = new HashMap<>();
                v.put("Name", String.format("Q%02d \"quoted\", comma", i));
                if (i % 2 == 0) {
                    v.put("NumberOfEmployees", (long) i);
                }
                tx.create(account, v);
            }
            return null;
        });
        Reply created = http.post(V + "/jobs/query",
                "{\"operation\":\"query\",\"query\":\"SELECT Name, Id, NumberOfEmployees, CreatedDate FROM Account ORDER BY Name\"}");
        assertThat(created.status()).isEqualTo(200);
        String id = created.json().get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get(V + "/jobs/query/" + id).json().get("state").asText().equals("JobComplete"));
        assertThat(http.get(V + "/jobs/query/" + id).json().get("numberRecordsProcessed").asInt()).isEqualTo(25);

        List<List<String>> all = new ArrayList<>();
        List<String> locators = new ArrayList<>();
        String locator = null;
        int pages = 0;
        do {
            Reply page = http.get(V + "/jobs/query/" + id + "/results?maxRecords=10" + (locator == null ? "" : "&locator=" + locator));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.header("Content-Type")).startsWith("text/csv");
            assertThat(page.body()).startsWith("\"Name\",\"Id\",\"NumberOfEmployees\",\"CreatedDate\"\n");
            List<List<String>> rows = Csv.parse(page.body(), ',', "LF");
            assertThat(page.header("Sforce-NumberOfRecords")).isEqualTo(Integer.toString(rows.size() - 1));
            all.addAll(rows.subList(1, rows.size()));
            locator = page.header("Sforce-Locator");
            locators.add(locator);
            pages++;
        } while (!"null".equals(locator) && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(locators.get(2)).isEqualTo("null");
        assertThat(all).hasSize(25);
        assertThat(all.get(0).get(0)).isEqualTo("Q00 \"quoted\", comma");
        assertThat(all.get(24).get(0)).isEqualTo("Q24 \"quoted\", comma");
        assertThat(all.get(1).get(2)).isEmpty();
        assertThat(all.get(2).get(2)).isEqualTo("2");
        assertThat(all.get(0).get(3)).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        // values are quoted (embedded quotes doubled); a null is empty and unquoted
        assertThat(http.get(V + "/jobs/query/" + id + "/results?maxRecords=2&locator=" + locators.get(0)).body())
                .containsPattern("\n\"Q11 \"\"quoted\"\", comma\",\"001\\w{15}\",,\"\\d{4}-");

        // default page: everything
        Reply whole = http.get(V + "/jobs/query/" + id + "/results");
        assertThat(whole.header("Sforce-NumberOfRecords")).isEqualTo("25");
        assertThat(whole.header("Sforce-Locator")).isEqualTo("null");
    }

    @Test
    void queryAllSeesDeletedRecordsAndQuerySnapshotsAtCreation() {
        String a = insertAccount("Live");
        String b = insertAccount("Gone");
        ObjectDef account = org.schema().object("Account");
        org.store().transaction(new WriteContext(org.userId(), "rest", "61.0", null), tx -> {
            tx.delete(account, b);
            return null;
        });
        String q = createQuery("{\"operation\":\"query\",\"query\":\"SELECT Id FROM Account\"}");
        String qa = createQuery("{\"operation\":\"queryAll\",\"query\":\"SELECT Id, IsDeleted FROM Account WHERE Name LIKE 'G%'\"}");
        insertAccount("Later");
        assertThat(http.get(V + "/jobs/query/" + q + "/results").body()).isEqualTo("\"Id\"\n\"" + a + "\"\n");
        assertThat(http.get(V + "/jobs/query/" + qa + "/results").body()).isEqualTo("\"Id\",\"IsDeleted\"\n\"" + b + "\",\"true\"\n");
        assertThat(http.get(V + "/jobs/query/" + qa).json().get("operation").asText()).isEqualTo("queryAll");
    }

    @Test
    void queryJobsHonourDelimiterAndLineEnding() {
        insertAccount("A");
        String q = createQuery("{\"operation\":\"query\",\"query\":\"SELECT Name, Phone FROM Account\",\"columnDelimiter\":\"PIPE\",\"lineEnding\":\"CRLF\"}");
        assertThat(http.get(V + "/jobs/query/" + q + "/results").body()).isEqualTo("\"Name\"|\"Phone\"\r\n\"A\"|\r\n");
    }

    String createQuery(String json) {
        Reply r = http.post(V + "/jobs/query", json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    @Test
    void queryErrors() {
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"query\",\"query\":\"SELEKT Id FROM Account\"}"), 400, "MALFORMED_QUERY", "");
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"query\",\"query\":\"SELECT Nope__c FROM Account\"}"), 400, "INVALID_FIELD",
                "No such column 'Nope__c'");
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"query\",\"query\":\"SELECT Id FROM Nope__c\"}"), 400, "INVALID_TYPE", "Nope__c");
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"query\",\"query\":\"SELECT Id, BillingAddress FROM Account\"}"), 400,
                "FUNCTIONALITY_NOT_ENABLED", "compound");
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"query\",\"query\":\"SELECT COUNT() FROM Account\"}"), 400,
                "FUNCTIONALITY_NOT_ENABLED", "COUNT");
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"insert\",\"query\":\"SELECT Id FROM Account\"}"), 400, "INVALIDJOB", "insert");
        assertError(http.post(V + "/jobs/query", "{\"operation\":\"query\"}"), 400, "MALFORMED_QUERY", "");

        String q = createQuery("{\"operation\":\"query\",\"query\":\"SELECT Id FROM Account\"}");
        assertError(http.patch(V + "/jobs/query/" + q, "{\"state\":\"Aborted\"}"), 400, "INVALIDJOBSTATE",
                "Aborting already Completed Job not allowed");
        assertError(http.get(V + "/jobs/query/" + q + "/results?locator=%21%21"), 400, "INVALID_QUERY_LOCATOR", "");
        assertError(http.get(V + "/jobs/query/" + q + "/results?maxRecords=0"), 400, "INVALIDPARAMETER", "maxRecords");
        assertError(http.send("PUT", V + "/jobs/query/" + q + "/results", "x", Map.of()), 405, "METHOD_NOT_ALLOWED", "PUT");
        assertThat(http.delete(V + "/jobs/query/" + q).status()).isEqualTo(204);
        assertNotFound(http.get(V + "/jobs/query/" + q));
    }

    // ------------------------------------------------------------------ counting, faults, keys

    @Test
    void endpointKeys() {
        assertThat(BulkApi.endpointKey("POST", new String[]{"jobs", "ingest"})).isEqualTo("bulk.ingest.create");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs", "ingest"})).isEqualTo("bulk.ingest.list");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs", "ingest", "750x"})).isEqualTo("bulk.ingest.info");
        assertThat(BulkApi.endpointKey("PATCH", new String[]{"jobs", "ingest", "750x"})).isEqualTo("bulk.ingest.state");
        assertThat(BulkApi.endpointKey("DELETE", new String[]{"jobs", "ingest", "750x"})).isEqualTo("bulk.ingest.delete");
        assertThat(BulkApi.endpointKey("PUT", new String[]{"jobs", "ingest", "750x", "batches"})).isEqualTo("bulk.ingest.upload");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs", "ingest", "750x", "failedResults"})).isEqualTo("bulk.ingest.results");
        assertThat(BulkApi.endpointKey("POST", new String[]{"jobs", "query"})).isEqualTo("bulk.query.create");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs", "query"})).isEqualTo("bulk.query.list");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs", "query", "750x"})).isEqualTo("bulk.query.info");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs", "query", "750x", "results"})).isEqualTo("bulk.query.results");
        assertThat(BulkApi.endpointKey("GET", new String[]{"jobs"})).isEqualTo("bulk.other");

        long before = org.counters().get("bulk.ingest.create");
        createIngest("{\"object\":\"Account\",\"operation\":\"insert\"}");
        assertThat(org.counters().get("bulk.ingest.create")).isEqualTo(before + 1);
    }

    @Test
    void errorEnvelopeSampleUsesErrorCodeAndMessage() {
        JsonNode expected = sample("bulk2-error-not-found.json");
        Reply r = http.get(V + "/jobs/ingest/" + org.store().ids().next("750"));
        assertThat(keys(r.json().get(0))).isEqualTo(keys(expected.get(0)));
        List<String> none = new ArrayList<>();
        r.json().get(0).fieldNames().forEachRemaining(none::add);
        assertThat(none).containsExactlyInAnyOrder("errorCode", "message");
    }
}
