package sync.salesforce;

import emulator.EmulatorHttp;
import emulator.auth.Credentials;
import emulator.cdc.StreamEvent;
import emulator.model.ObjectDef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@link SObjectWriter} through the real camel-salesforce component against the emulator:
 * records in the org, per-record errors with Salesforce's codes, whole-call failures split into
 * unavailable and rejected, re-login on a lost session, the client name in the change events and
 * the API usage header.
 */
class SObjectWriterTest {
    static final String CLIENT = "sluice";
    static final String ORIGIN = "com/salesforce/api/rest/61.0;client=" + CLIENT;

    static SalesforceTestSupport sf;
    static SObjectWriter writer;
    static ObjectDef account;

    @BeforeAll
    static void start() {
        sf = new SalesforceTestSupport();
        writer = new SObjectWriter(sf.template, "61.0", CLIENT);
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
        sf.http.login(); // the session tests expire the test client's session too
    }

    @Test
    void createReturnsResultsInOrderAndTagsTheChangeEventsWithTheClient() {
        List<WriteResult> results = writer.create("Account", List.of(account("A1"), account("A2"), account("A3")));

        assertThat(results).hasSize(3).allSatisfy(r -> {
            assertThat(r.success()).isTrue();
            assertThat(r.created()).isTrue();
            assertThat(r.id()).startsWith("001");
            assertThat(r.errors()).isEmpty();
        });
        assertThat(results).extracting(r -> stored(r.id()).get("Name")).containsExactly("A1", "A2", "A3");
        assertThat(sf.counter("rest.composite.sobjects.create")).isEqualTo(1);
        assertThat(results).allSatisfy(r -> assertThat(changeOrigin(r.id(), "CREATE")).isEqualTo(ORIGIN));
    }

    @Test
    void apiUsageFollowsTheLimitInfoHeader() {
        SObjectWriter fresh = new SObjectWriter(sf.template, "61.0", CLIENT);
        assertThat(fresh.apiUsage()).isEmpty();

        fresh.create("Account", List.of(account("U1")));
        long used = sf.org.counters().apiRequests();
        assertThat(fresh.apiUsage()).contains(new ApiUsage(used, sf.org.options().dailyApiRequests()));

        fresh.create("Account", List.of(account("U2")));
        assertThat(fresh.apiUsage()).get().extracting(ApiUsage::used).isEqualTo(used + 1);
    }

    static Stream<Arguments> badRecords() {
        return Stream.of(
                arguments("Name missing", Map.of("Description", "no name"), "REQUIRED_FIELD_MISSING"),
                arguments("unique Pg_Id__c taken", Map.of("Name", "Copy", "Pg_Id__c", "taken"), "DUPLICATE_VALUE"),
                arguments("AccountNumber over 40 characters", Map.of("Name", "Long", "AccountNumber", "9".repeat(41)),
                        "STRING_TOO_LONG"),
                arguments("unknown field", Map.of("Name", "Odd", "Nope__c", 1), "INVALID_FIELD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void aBadRecordFailsAloneWithSalesforcesCode(String name, Map<String, Object> bad, String code) {
        sf.seed("Account", "[{\"Name\":\"Holder\",\"Pg_Id__c\":\"taken\"}]");

        List<WriteResult> results = writer.create("Account", List.of(account("Good 1"), bad, account("Good 2")));

        assertThat(results).hasSize(3);
        assertThat(results.get(0).success()).isTrue();
        assertThat(results.get(2).success()).isTrue();
        WriteResult failed = results.get(1);
        assertThat(failed.success()).isFalse();
        assertThat(failed.id()).isNull();
        assertThat(failed.created()).isFalse();
        assertThat(failed.errorCode()).isEqualTo(code);
        assertThat(failed.errors().get(0).message()).isNotBlank();
        assertThat(failed.retriable()).isFalse();
        assertThat(stored(results.get(0).id())).containsEntry("Name", "Good 1");
        assertThat(stored(results.get(2).id())).containsEntry("Name", "Good 2");
        assertThat(sf.org.store().count(account)).isEqualTo(3);
    }

    @Test
    void requiredFieldMissingNamesTheField() {
        WriteResult failed = writer.create("Account", List.of(Map.of("Phone", "1"))).get(0);
        assertThat(failed.errors()).singleElement().satisfies(e -> {
            assertThat(e.statusCode()).isEqualTo("REQUIRED_FIELD_MISSING");
            assertThat(e.fields()).containsExactly("Name");
        });
    }

    @Test
    void updateSendsNullAsNullAndLeavesOtherFieldsAlone() {
        String id = sf.seed("Account", "[{\"Name\":\"N1\",\"Description\":\"to clear\",\"Phone\":\"123\"}]").get(0);
        Map<String, Object> change = new HashMap<>();
        change.put("Id", id);
        change.put("Description", null);
        change.put("NumberOfEmployees", 42L);
        change.put("AnnualRevenue", new BigDecimal("1.5E+6"));

        List<WriteResult> results = writer.update("Account", List.of(change));

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.success()).isTrue();
            assertThat(r.id()).isEqualTo(id);
            assertThat(r.created()).isFalse();
        });
        assertThat(stored(id)).containsEntry("Description", null).containsEntry("Phone", "123").containsEntry("Name", "N1")
                .containsEntry("NumberOfEmployees", 42L);
        assertThat((BigDecimal) stored(id).get("AnnualRevenue")).isEqualByComparingTo("1500000");
        EmulatorHttp.Reply readBack = sf.http.get(EmulatorHttp.V + "/sobjects/Account/" + id + "?fields=Description,Phone");
        assertThat(readBack.json().get("Description").isNull()).isTrue();
        assertThat(sf.counter("rest.composite.sobjects.update")).isEqualTo(1);
        assertThat(changeOrigin(id, "UPDATE")).isEqualTo(ORIGIN);
    }

    @Test
    void updateReportsADeletedRecordAndWritesTheOthers() {
        List<String> ids = sf.seed("Account", "[{\"Name\":\"Live\"},{\"Name\":\"Gone\"}]");
        sf.delete("Account", ids.get(1));

        List<WriteResult> results = writer.update("Account", List.of(
                Map.of("Id", ids.get(0), "Name", "Live renamed"), Map.of("Id", ids.get(1), "Name", "Gone renamed")));

        assertThat(results.get(0).success()).isTrue();
        assertThat(results.get(1).success()).isFalse();
        assertThat(results.get(1).id()).isEqualTo(ids.get(1));
        assertThat(results.get(1).errorCode()).isEqualTo("ENTITY_IS_DELETED");
        assertThat(results.get(1).retriable()).isFalse();
        assertThat(stored(ids.get(0))).containsEntry("Name", "Live renamed");
        assertThat(stored(ids.get(1))).containsEntry("Name", "Gone");
    }

    @Test
    void upsertTellsCreatedFromUpdated() {
        String existing = sf.seed("Account", "[{\"Name\":\"Existing\",\"Pg_Id__c\":\"pg-1\"}]").get(0);

        List<WriteResult> results = writer.upsert("Account", "Pg_Id__c", List.of(
                Map.of("Pg_Id__c", "pg-1", "Name", "Existing renamed"), Map.of("Pg_Id__c", "pg-2", "Name", "New")));

        assertThat(results.get(0).success()).isTrue();
        assertThat(results.get(0).created()).isFalse();
        assertThat(results.get(0).id()).isEqualTo(existing);
        assertThat(results.get(1).success()).isTrue();
        assertThat(results.get(1).created()).isTrue();
        assertThat(stored(existing)).containsEntry("Name", "Existing renamed");
        assertThat(stored(results.get(1).id())).containsEntry("Name", "New").containsEntry("Pg_Id__c", "pg-2");
        assertThat(sf.org.store().count(account)).isEqualTo(2);
        assertThat(sf.counter("rest.composite.sobjects.upsert")).isEqualTo(1);
        assertThat(changeOrigin(existing, "UPDATE")).isEqualTo(ORIGIN);
        assertThat(changeOrigin(results.get(1).id(), "CREATE")).isEqualTo(ORIGIN);
    }

    @Test
    void deleteReportsAnAlreadyDeletedRecord() {
        List<String> ids = sf.seed("Account", "[{\"Name\":\"D1\"},{\"Name\":\"D2\"}]");
        assertThat(writer.delete(List.of(ids.get(0)))).singleElement().satisfies(r -> {
            assertThat(r.success()).isTrue();
            assertThat(r.id()).isEqualTo(ids.get(0));
        });

        List<WriteResult> results = writer.delete(ids);

        assertThat(results.get(0).success()).isFalse();
        assertThat(results.get(0).id()).isEqualTo(ids.get(0));
        assertThat(results.get(0).errorCode()).isEqualTo("ENTITY_IS_DELETED");
        assertThat(results.get(0).retriable()).isFalse();
        assertThat(results.get(1).success()).isTrue();
        assertThat(results.get(1).id()).isEqualTo(ids.get(1));
        assertThat(ids).allSatisfy(id -> assertThat(stored(id)).containsEntry("IsDeleted", true));
        assertThat(sf.counter("rest.composite.sobjects.delete")).isEqualTo(2);
        assertThat(changeOrigin(ids.get(1), "DELETE")).isEqualTo(ORIGIN);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "503,                    503, SERVER_UNAVAILABLE",
            "REQUEST_LIMIT_EXCEEDED, 403, REQUEST_LIMIT_EXCEEDED",
            "UNABLE_TO_LOCK_ROW,     400, UNABLE_TO_LOCK_ROW"})
    void aTransientCallFailureIsUnavailableAndTheRetrySucceeds(String fault, int status, String code) {
        arm("rest.composite.sobjects.create", fault);

        Throwable t = catchThrowable(() -> writer.create("Account", List.of(account("Retried"))));

        assertThat(t).isInstanceOf(SalesforceUnavailableException.class);
        SalesforceUnavailableException e = (SalesforceUnavailableException) t;
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.errors()).extracting(SalesforceError::statusCode).containsExactly(code);
        assertThat(sf.org.store().count(account)).isZero();

        assertThat(writer.create("Account", List.of(account("Retried")))).singleElement()
                .satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(sf.org.store().count(account)).isEqualTo(1);
    }

    @ParameterizedTest(name = "upsert {0} by {1}")
    @CsvSource({"Account, Name", "Nope__c, Pg_Id__c"})
    void aRejectedCallCarriesSalesforcesCodeAndMessage(String object, String field) {
        Throwable t = catchThrowable(() -> writer.upsert(object, field, List.of(Map.of(field, "k"))));

        assertThat(t).isInstanceOf(SalesforceRejectedException.class);
        SalesforceRejectedException e = (SalesforceRejectedException) t;
        assertThat(e.httpStatus()).isEqualTo(404);
        assertThat(e.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(e.salesforceMessage()).isEqualTo("The requested resource does not exist");
        assertThat(sf.org.store().count(account)).isZero();
    }

    @Test
    void compositeSendsSeveralCallsAsOneApiCallInOrder() {
        List<String> ids = sf.seed("Account", "[{\"Name\":\"To update\"},{\"Name\":\"To delete\"}]");
        long before = sf.org.counters().apiRequests();

        List<SObjectWriter.Outcome> outcomes = writer.composite(List.of(
                writer.createCall("Account", List.of(account("C1"), account("C2"))),
                writer.upsertCall("Account", "Pg_Id__c", List.of(Map.of("Pg_Id__c", "pg-9", "Name", "Upserted"))),
                writer.updateCall("Account", List.of(Map.of("Id", ids.get(0), "Name", "Updated"))),
                writer.createCall("Account", List.of()),
                writer.deleteCall(List.of(ids.get(1)))));

        assertThat(outcomes).hasSize(5).allSatisfy(o -> assertThat(o.failure()).isNull());
        List<WriteResult> created = outcomes.get(0).results();
        assertThat(created).hasSize(2).allSatisfy(r -> assertThat(r.success() && r.created()).isTrue());
        assertThat(created).extracting(r -> stored(r.id()).get("Name")).containsExactly("C1", "C2");
        assertThat(outcomes.get(1).results()).singleElement().satisfies(r -> assertThat(r.created()).isTrue());
        assertThat(stored(outcomes.get(1).results().get(0).id())).containsEntry("Name", "Upserted");
        assertThat(outcomes.get(2).results()).singleElement().satisfies(r -> assertThat(r.created()).isFalse());
        assertThat(stored(ids.get(0))).containsEntry("Name", "Updated");
        assertThat(outcomes.get(3).results()).as("an empty call is not sent").isEmpty();
        assertThat(outcomes.get(4).results()).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo(ids.get(1)));
        assertThat(stored(ids.get(1))).containsEntry("IsDeleted", true);

        assertThat(sf.org.counters().apiRequests() - before).as("one API call").isEqualTo(1);
        assertThat(sf.counter("rest.composite")).isEqualTo(1);
        assertThat(sf.counter("rest.composite.sobjects.create")).as("no direct call").isZero();
        assertThat(sf.counter("composite.rest.composite.sobjects.create")).isEqualTo(1);
        assertThat(sf.counter("composite.rest.composite.sobjects.delete")).isEqualTo(1);
        assertThat(writer.apiUsage()).hasValueSatisfying(u -> assertThat(u.used()).isEqualTo(sf.org.counters().apiRequests()));
        assertThat(changeOrigin(created.get(0).id(), "CREATE")).isEqualTo(ORIGIN);
        assertThat(changeOrigin(ids.get(0), "UPDATE")).isEqualTo(ORIGIN);
        assertThat(changeOrigin(ids.get(1), "DELETE")).isEqualTo(ORIGIN);
    }

    @Test
    void aFailedSubrequestIsTheFailureItsCallWouldHaveAloneAndTheOthersLand() {
        arm("composite.rest.composite.sobjects.update", "UNABLE_TO_LOCK_ROW");

        List<SObjectWriter.Outcome> outcomes = writer.composite(List.of(
                writer.updateCall("Account", List.of(Map.of("Id", "001000000000000AAA", "Name", "Locked"))),
                writer.upsertCall("Account", "Name", List.of(Map.of("Name", "k"))),
                writer.createCall("Account", List.of(account("Landed")))));

        assertThat(outcomes.get(0).failure()).isInstanceOf(SalesforceUnavailableException.class)
                .hasMessageContaining("update Account");
        assertThat(((SalesforceUnavailableException) outcomes.get(0).failure()).errors())
                .extracting(SalesforceError::statusCode).containsExactly("UNABLE_TO_LOCK_ROW");
        assertThat(outcomes.get(1).failure()).isInstanceOf(SalesforceRejectedException.class);
        assertThat(((SalesforceRejectedException) outcomes.get(1).failure()).httpStatus()).isEqualTo(404);
        assertThatThrownBy(outcomes.get(1)::resultsOrThrow).isSameAs(outcomes.get(1).failure());
        assertThat(outcomes.get(2).resultsOrThrow()).singleElement().satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(sf.org.store().count(account)).isEqualTo(1);
    }

    @Test
    void aFailedCompositeCallIsThrownLikeADirectCall() {
        arm("rest.composite", "503");

        Throwable t = catchThrowable(() -> writer.composite(List.of(
                writer.createCall("Account", List.of(account("A"))), writer.createCall("Account", List.of(account("B"))))));

        assertThat(t).isInstanceOf(SalesforceUnavailableException.class);
        assertThat(sf.org.store().count(account)).isZero();
    }

    @Test
    void compositeTakesAtMostFiveCollectionsCalls() {
        List<SObjectWriter.Collection> six = IntStream.range(0, 6)
                .mapToObj(i -> writer.createCall("Account", List.of(account("A" + i)))).toList();

        assertThatThrownBy(() -> writer.composite(six)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5");
        assertThat(sf.counter("rest.composite")).isZero();
    }

    static Stream<Arguments> sessionLosses() {
        return Stream.of(
                arguments("all sessions expired", (Consumer<SalesforceTestSupport>) s -> admin(s, "sessions/expire", "")),
                arguments("INVALID_SESSION_ID answer", (Consumer<SalesforceTestSupport>) s -> admin(s, "faults",
                        "{\"endpoint\":\"rest.composite.sobjects.create\",\"fault\":\"INVALID_SESSION_ID\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sessionLosses")
    void aLostSessionIsRenewedByTheComponentAndTheWriteReplayedOnce(String name, Consumer<SalesforceTestSupport> loseSession) {
        writer.create("Account", List.of(account("Before")));
        long logins = sf.counter("oauth.token");
        loseSession.accept(sf);

        List<WriteResult> results = writer.create("Account", List.of(account("After")));

        assertThat(results).singleElement().satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(sf.counter("oauth.token")).as("one re-login").isEqualTo(logins + 1);
        assertThat(sf.org.store().count(account)).as("written exactly once").isEqualTo(2);
        assertThat(changeOrigin(results.get(0).id(), "CREATE")).as("the call options survive the replay").isEqualTo(ORIGIN);
    }

    @Test
    void aRefusedReLoginIsUnavailable() {
        writer.create("Account", List.of(account("Before")));
        Credentials valid = sf.org.credentials();
        sf.org.setCredentials(new Credentials(valid.clientId(), valid.clientSecret(), valid.username(), "rotated",
                valid.securityToken(), valid.jwtPublicKey()));
        try {
            admin(sf, "sessions/expire", "");

            Throwable t = catchThrowable(() -> writer.create("Account", List.of(account("Refused"))));

            assertThat(t).isInstanceOf(SalesforceUnavailableException.class).hasMessageContaining("login");
            assertThat(((SalesforceUnavailableException) t).errors()).extracting(SalesforceError::statusCode)
                    .containsExactly("invalid_grant");
        } finally {
            sf.org.setCredentials(valid);
        }
        assertThat(writer.create("Account", List.of(account("After")))).singleElement()
                .satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(sf.org.store().count(account)).isEqualTo(2);
    }

    @Test
    void noAnswerIsUnavailable() {
        SalesforceTestSupport gone = new SalesforceTestSupport();
        try {
            SObjectWriter w = new SObjectWriter(gone.template, "61.0", CLIENT);
            gone.org.close();

            Throwable t = catchThrowable(() -> w.create("Account", List.of(account("Nowhere"))));

            assertThat(t).isInstanceOf(SalesforceUnavailableException.class);
            assertThat(((SalesforceUnavailableException) t).httpStatus()).isZero();
        } finally {
            gone.camel.stop();
        }
    }

    static Stream<Arguments> callerMistakes() {
        List<Map<String, Object>> tooMany = IntStream.range(0, 201).mapToObj(i -> account("R" + i)).toList();
        return Stream.of(
                arguments("201 records", (Runnable) () -> writer.create("Account", tooMany)),
                arguments("update without Id", (Runnable) () -> writer.update("Account", List.of(account("No Id")))),
                arguments("malformed Id", (Runnable) () -> writer.delete(List.of("001' OR 1=1"))),
                arguments("object name with SQL", (Runnable) () -> writer.create("Account;x", List.of(account("x")))),
                arguments("external id path", (Runnable) () -> writer.upsert("Account", "../x", List.of(account("x")))),
                arguments("attributes given", (Runnable) () -> writer.create("Account",
                        List.of(Map.of("attributes", Map.of("type", "Contact"), "Name", "x")))),
                arguments("not a JSON value", (Runnable) () -> writer.create("Account",
                        List.of(Map.of("Name", new Object())))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callerMistakes")
    void callerMistakesFailBeforeAnyCall(String name, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(IllegalArgumentException.class);
        assertThat(sf.org.counters().apiRequests()).isZero();
    }

    @Test
    void nothingToWriteMakesNoCall() {
        assertThat(writer.create("Account", List.of())).isEmpty();
        assertThat(writer.delete(List.of())).isEmpty();
        assertThat(sf.org.counters().apiRequests()).isZero();
    }

    @ParameterizedTest(name = "{0} retriable: {1}")
    @CsvSource({
            "UNABLE_TO_LOCK_ROW, true", "REQUEST_LIMIT_EXCEEDED, true", "SERVER_UNAVAILABLE, true",
            "REQUEST_RUNNING_TOO_LONG, true", "ALL_OR_NONE_OPERATION_ROLLED_BACK, true",
            "REQUIRED_FIELD_MISSING, false", "DUPLICATE_VALUE, false", "INVALID_FIELD, false",
            "FIELD_CUSTOM_VALIDATION_EXCEPTION, false", "ENTITY_IS_DELETED, false", "INVALID_CROSS_REFERENCE_KEY, false",
            "STRING_TOO_LONG, false"})
    void perRecordRetriability(String code, boolean retriable) {
        WriteResult failed = new WriteResult(false, null, false, List.of(new SalesforceError(code, "m", List.of())));
        assertThat(failed.retriable()).isEqualTo(retriable);
        WriteResult mixed = new WriteResult(false, null, false, List.of(new SalesforceError(code, "m", List.of()),
                new SalesforceError("INVALID_FIELD", "m", List.of())));
        assertThat(mixed.retriable()).as("a permanent error among them wins").isFalse();
        assertThat(new WriteResult(true, "001000000000001AAA", true, List.of()).retriable()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "api-usage=18/5000| 18| 5000",
            "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)| 25| 5000",
            "per-app-api-usage=17/250(appName=x); api-usage=7/100| 7| 100"})
    void apiUsageIsReadFromTheHeader(String header, long used, long max) {
        assertThat(ApiUsage.parse(header)).contains(new ApiUsage(used, max));
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, Object> account(String name) {
        return Map.of("Name", name);
    }

    static Map<String, Object> stored(String id) {
        Map<String, Object> r = sf.org.store().find(account, id);
        return r == null ? Collections.emptyMap() : r;
    }

    /** The changeOrigin of the change event of this type that names the record. */
    static String changeOrigin(String id, String changeType) {
        return sf.org.bus().retained().stream()
                .map(StreamEvent::payload)
                .map(p -> (Map<?, ?>) p.get("ChangeEventHeader"))
                .filter(h -> changeType.equals(h.get("changeType")) && ((List<?>) h.get("recordIds")).contains(id))
                .map(h -> (String) h.get("changeOrigin"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + changeType + " event for " + id));
    }

    static void arm(String endpoint, String fault) {
        admin(sf, "faults", "{\"endpoint\":\"" + endpoint + "\",\"fault\":\"" + fault + "\"}");
    }

    static void admin(SalesforceTestSupport s, String path, String json) {
        EmulatorHttp.Reply r = s.http.admin(path, json);
        if (r.status() / 100 != 2) {
            throw new AssertionError("admin " + path + " answered " + r.status() + ": " + r.body());
        }
    }
}
