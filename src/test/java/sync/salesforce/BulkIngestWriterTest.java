package sync.salesforce;

import emulator.EmulatorHttp;
import emulator.cdc.StreamEvent;
import emulator.model.ObjectDef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** {@link BulkIngestWriter}: Bulk API 2.0 ingest jobs through camel-salesforce's raw operation against the emulator. */
class BulkIngestWriterTest {
    static final String ORIGIN = "com/salesforce/api/bulkapi/61.0;client=sluice";
    static final String TRICKY = "Grüße, \"quoted\" 世界\nsecond line";

    static SalesforceTestSupport sf;
    static BulkIngestWriter writer;
    static ObjectDef account;

    @BeforeAll
    static void start() {
        sf = new SalesforceTestSupport();
        writer = new BulkIngestWriter(sf.template, "61.0", "sluice",
                new BulkIngestWriter.Settings(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(30)));
        account = sf.org.schema().object("Account");
    }

    @AfterAll
    static void stop() {
        if (sf != null) {
            sf.close();
        }
    }

    @BeforeEach
    void reset() {
        sf.reset();
    }

    @Test
    void insertReturnsResultsInRecordOrder() {
        List<Map<String, Object>> records = List.of(
                Map.of("Name", "Good 1", "Description", TRICKY),
                Map.of("Description", "no name"),
                Map.of("Name", "Good 2", "NumberOfEmployees", 7L),
                Map.of("Name", "Good 1", "Description", TRICKY));

        List<WriteResult> results = writer.bulkInsert("Account", records);

        assertThat(results).hasSize(4);
        assertThat(results).extracting(WriteResult::success).containsExactly(true, false, true, true);
        assertThat(results.get(1).errors()).singleElement().satisfies(e -> {
            assertThat(e.statusCode()).isEqualTo("REQUIRED_FIELD_MISSING");
            assertThat(e.fields()).containsExactly("Name");
        });
        assertThat(results.get(1).retriable()).isFalse();
        assertThat(results.get(0).id()).isNotEqualTo(results.get(3).id());
        assertThat(results.get(0).created()).isTrue();
        assertThat(stored(results.get(0).id())).containsEntry("Name", "Good 1").containsEntry("Description", TRICKY);
        assertThat(stored(results.get(2).id())).containsEntry("Name", "Good 2").containsEntry("Description", null);
        assertThat(sf.org.store().count(account)).isEqualTo(3);
        assertThat(sf.counter("bulk.ingest.create")).isEqualTo(1);
        assertThat(sf.counter("bulk.ingest.upload")).isEqualTo(1);
        assertThat(changeOrigin(results.get(2).id())).as("Sforce-Call-Options reached the job").isEqualTo(ORIGIN);
        assertThat(writer.apiUsage()).isPresent();
    }

    @Test
    void upsertTellsCreatedFromUpdatedAndNullClearsAField() {
        String existing = sf.seed("Account", "[{\"Name\":\"Old\",\"Pg_Id__c\":\"pg-1\",\"Description\":\"old\",\"Phone\":\"1\"}]").get(0);
        Map<String, Object> update = new HashMap<>();
        update.put("Pg_Id__c", "pg-1");
        update.put("Name", "Renamed");
        update.put("Description", null);

        List<WriteResult> results = writer.bulkUpsert("Account", "Pg_Id__c",
                List.of(update, Map.of("Pg_Id__c", "pg-2", "Name", "New", "Phone", "2")));

        assertThat(results.get(0).success()).isTrue();
        assertThat(results.get(0).created()).isFalse();
        assertThat(results.get(0).id()).isEqualTo(existing);
        assertThat(results.get(1).success()).isTrue();
        assertThat(results.get(1).created()).isTrue();
        assertThat(stored(existing)).containsEntry("Name", "Renamed").containsEntry("Description", null)
                .as("a field the record does not name is left alone").containsEntry("Phone", "1");
        assertThat(stored(results.get(1).id())).containsEntry("Pg_Id__c", "pg-2").containsEntry("Phone", "2");
    }

    @Test
    void aFailedJobIsRejectedWithItsErrorMessage() {
        Throwable t = catchThrowable(() -> writer.bulkInsert("Account", List.of(Map.of("Name", "x", "Nope__c", "y"))));

        assertThat(t).isInstanceOf(SalesforceRejectedException.class);
        SalesforceRejectedException e = (SalesforceRejectedException) t;
        assertThat(e.errorCode()).isEqualTo("InvalidBatch");
        assertThat(e.salesforceMessage()).contains("Nope__c");
        assertThat(sf.org.store().count(account)).isZero();
    }

    @Test
    void aBusyOrgIsUnavailable() {
        EmulatorHttp.Reply armed = sf.http.admin("faults", "{\"endpoint\":\"bulk.ingest.create\",\"fault\":\"503\"}");
        assertThat(armed.status()).isEqualTo(200);

        Throwable t = catchThrowable(() -> writer.bulkInsert("Account", List.of(Map.of("Name", "x"))));

        assertThat(t).isInstanceOf(SalesforceUnavailableException.class);
        assertThat(((SalesforceUnavailableException) t).httpStatus()).isEqualTo(503);
    }

    @Test
    void updateAndDeleteMatchResultsByIdAndEmptyTextClearsAField() {
        List<String> ids = sf.seed("Account", "[{\"Name\":\"A\",\"Phone\":\"1\"},{\"Name\":\"B\",\"Phone\":\"2\"},"
                + "{\"Name\":\"C\"}]");
        String missing = "001" + "0".repeat(11) + "Z"; // a well-formed Account Id the emulator never issues
        Map<String, Object> a = new HashMap<>();
        a.put("Id", ids.get(0));
        a.put("Name", "A2");
        a.put("Phone", "");

        List<WriteResult> updated = steps(BulkIngestWriter.Operation.UPDATE, null, List.of(a,
                Map.of("Id", missing, "Name", "nobody"), Map.of("Id", ids.get(1), "Name", "B2")));
        List<WriteResult> deleted = steps(BulkIngestWriter.Operation.DELETE, null, List.of(Map.of("Id", ids.get(2))));

        assertThat(updated).extracting(WriteResult::success).containsExactly(true, false, true);
        assertThat(updated.get(0).id()).isEqualTo(ids.get(0));
        assertThat(updated.get(1).errorCode()).isEqualTo("INVALID_CROSS_REFERENCE_KEY");
        assertThat(stored(ids.get(0))).containsEntry("Name", "A2").containsEntry("Phone", null);
        assertThat(stored(ids.get(1))).containsEntry("Name", "B2").containsEntry("Phone", "2");
        assertThat(deleted).singleElement().satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(stored(ids.get(2))).as("in the recycle bin").containsEntry("IsDeleted", true);
    }

    @Test
    void aJobWhoseUploadWasNeverClosedIsAbortedOnResumeHavingWrittenNothing() {
        List<Map<String, Object>> records = List.of(Map.of("Name", "Never closed"));
        BulkIngestWriter.Job job = writer.open(BulkIngestWriter.Operation.INSERT, "Account", null, records);
        writer.upload(job);

        BulkIngestWriter.Outcome outcome = restarted().resume(job.id(), records).orElseThrow();

        assertThat(outcome.neverClosed()).isTrue();
        assertThat(outcome.results()).containsExactly((WriteResult) null);
        assertThat(sf.http.get(EmulatorHttp.V + "/jobs/ingest/" + job.id()).json().get("state").asText()).isEqualTo("Aborted");
        assertThat(sf.org.store().count(account)).isZero();
    }

    @Test
    void aClosedJobIsResumedFromItsResultsWithoutWritingAgain() {
        List<Map<String, Object>> records = List.of(Map.of("Name", "Once", "Phone", "1"), Map.of("Phone", "no name"),
                Map.of("Name", "Twice", "Phone", "2"));
        BulkIngestWriter.Job job = writer.open(BulkIngestWriter.Operation.INSERT, "Account", null, records);
        writer.upload(job);
        writer.close(job);
        long creates = sf.counter("bulk.ingest.create");

        BulkIngestWriter.Outcome outcome = restarted().resume(job.id(), records).orElseThrow();

        assertThat(outcome.state()).isEqualTo("JobComplete");
        assertThat(outcome.results()).extracting(WriteResult::success).containsExactly(true, false, true);
        assertThat(stored(outcome.results().get(2).id())).containsEntry("Name", "Twice");
        assertThat(outcome.results().get(1).errorCode()).isEqualTo("REQUIRED_FIELD_MISSING");
        assertThat(sf.org.store().count(account)).isEqualTo(2);
        assertThat(sf.counter("bulk.ingest.create")).isEqualTo(creates);
        assertThat(sf.counter("bulk.ingest.upload")).isEqualTo(1);
    }

    @Test
    void aJobSalesforceDoesNotKnowResumesEmpty() {
        assertThat(writer.resume("7505g000000AbCdAAK", List.of(Map.of("Name", "x")))).isEmpty();
    }

    @Test
    void recordsAreCutIntoJobsThatStayWithinTheUploadLimit() {
        List<Map<String, Object>> records = List.of(Map.of("Name", "a".repeat(40)), Map.of("Name", "b".repeat(40)),
                Map.of("Name", "c".repeat(40)), Map.of("Name", "d"));

        assertThat(BulkIngestWriter.parts(records, 100)).containsExactly(2, 4);
        assertThat(BulkIngestWriter.parts(records, 10)).as("a record over the limit goes alone").containsExactly(1, 2, 3, 4);
        assertThat(BulkIngestWriter.parts(records)).containsExactly(4);
        assertThat(BulkIngestWriter.parts(List.of())).isEmpty();
    }

    /** A job driven step by step, as a caller that records its Id does. */
    private static List<WriteResult> steps(BulkIngestWriter.Operation operation, String externalIdField,
                                           List<Map<String, Object>> records) {
        BulkIngestWriter.Job job = writer.open(operation, "Account", externalIdField, records);
        writer.upload(job);
        writer.close(job);
        BulkIngestWriter.Outcome outcome = writer.await(job);
        assertThat(outcome.state()).isEqualTo("JobComplete");
        return outcome.results();
    }

    /** Another writer on the same org, as after a restart. */
    private static BulkIngestWriter restarted() {
        return new BulkIngestWriter(sf.template, "61.0", "sluice",
                new BulkIngestWriter.Settings(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(30)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --| REQUIRED_FIELD_MISSING| Required fields are missing: [Name]| Name",
            "DUPLICATE_VALUE:duplicate value found: Pg_Id__c duplicates value on record with id: 001:--| DUPLICATE_VALUE| duplicate value found: Pg_Id__c duplicates value on record with id: 001| ",
            "FIELD_CUSTOM_VALIDATION_EXCEPTION:Amount must be positive:Amount__c Stage__c --| FIELD_CUSTOM_VALIDATION_EXCEPTION| Amount must be positive| Amount__c Stage__c"})
    void sfErrorIsReadIntoCodeMessageAndFields(String sfError, String code, String message, String fields) {
        SalesforceError e = BulkIngestWriter.recordError(sfError);
        assertThat(e.statusCode()).isEqualTo(code);
        assertThat(e.message()).isEqualTo(message);
        assertThat(e.fields()).isEqualTo(fields == null ? List.of() : List.of(fields.split(" ")));
    }

    static Map<String, Object> stored(String id) {
        return sf.org.store().find(account, id);
    }

    static String changeOrigin(String id) {
        return sf.org.bus().retained().stream()
                .map(StreamEvent::payload)
                .map(p -> (Map<?, ?>) p.get("ChangeEventHeader"))
                .filter(h -> ((List<?>) h.get("recordIds")).contains(id))
                .map(h -> (String) h.get("changeOrigin"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no change event for " + id));
    }
}
