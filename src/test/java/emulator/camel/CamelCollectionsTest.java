package emulator.camel;

import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import emulator.model.ObjectDef;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.DeleteSObjectResult;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.SaveSObjectResult;
import org.apache.camel.component.salesforce.api.dto.UpsertSObjectResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static emulator.camel.CamelEmulatorSupport.component;
import static emulator.camel.CamelEmulatorSupport.context;
import static emulator.camel.CamelEmulatorSupport.messages;
import static emulator.camel.CamelEmulatorSupport.reset;
import static emulator.camel.CamelEmulatorSupport.salesforceCause;
import static emulator.camel.CamelEmulatorSupport.stopQuietly;
import static emulator.camel.CamelEmulatorSupport.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** sObject Collections (create/update/upsert/delete/retrieve) through camel's composite*SObjectCollections operations. */
class CamelCollectionsTest {
    private static final String ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK";

    private static SalesforceEmulator emulator;
    private static CamelContext ctx;
    private static ProducerTemplate template;
    private static ObjectDef account;

    @BeforeAll
    static void start() {
        emulator = SalesforceEmulator.start(EmulatorOptions.defaults());
        account = emulator.schema().object("Account");
        ctx = context(component(emulator, AuthenticationType.USERNAME_PASSWORD));
        ctx.start();
        template = ctx.createProducerTemplate();
    }

    @AfterAll
    static void stop() {
        stopQuietly(ctx);
        emulator.close();
    }

    @BeforeEach
    void resetEmulator() {
        reset(emulator);
    }

    @Test
    void createUpdateRetrieveUpsertDelete() {
        List<Account> records = List.of(Account.named("C1"), Account.named("C2"), Account.named("C3"));
        List<SaveSObjectResult> created = create(records, false);
        assertThat(created).hasSize(3).allSatisfy(r -> {
            assertThat(r.getSuccess()).isTrue();
            assertThat(r.getId()).startsWith("001");
        });
        List<String> ids = created.stream().map(SaveSObjectResult::getId).toList();
        assertThat(ids.stream().map(id -> stored(emulator, id).get("Name"))).containsExactly("C1", "C2", "C3");
        assertThat(emulator.counters().get("rest.composite.sobjects.create")).isEqualTo(1);

        // update
        List<Account> updates = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Account a = new Account();
            a.setId(ids.get(i));
            a.setIndustry("Energy");
            a.setDescription("updated " + i);
            updates.add(a);
        }
        List<SaveSObjectResult> updated = template.requestBody("salesforce:compositeUpdateSObjectCollections", updates, List.class);
        assertThat(updated).extracting(SaveSObjectResult::getSuccess).containsOnly(true);
        assertThat(updated).extracting(SaveSObjectResult::getId).containsExactlyElementsOf(ids);
        assertThat(stored(emulator, ids.get(2))).containsEntry("Industry", "Energy").containsEntry("Description", "updated 2")
                .containsEntry("Name", "C3");

        // retrieve (camel POSTs {ids, fields} to /composite/sobjects/Account)
        List<Account> retrieved = template.requestBodyAndHeaders("salesforce:compositeRetrieveSObjectCollections?sObjectName=Account",
                null, Map.of("sObjectIds", ids, "sObjectFields", List.of("Id", "Name", "Industry")), List.class);
        assertThat(retrieved).extracting(Account::getName).containsExactly("C1", "C2", "C3");
        assertThat(retrieved).extracting(Account::getIndustry).containsOnly("Energy");
        assertThat(emulator.counters().get("rest.composite.sobjects.retrieve")).isEqualTo(1);

        // upsert by Pg_Id__c: one existing (after setting its key), one new
        Account keyed = new Account();
        keyed.setId(ids.get(0));
        keyed.setPg_Id__c("pg-1");
        template.requestBody("salesforce:compositeUpdateSObjectCollections", List.of(keyed), List.class);
        Account existing = Account.named("C1 upserted");
        existing.setPg_Id__c("pg-1");
        Account fresh = Account.named("C4 new");
        fresh.setPg_Id__c("pg-4");
        List<UpsertSObjectResult> upserted = template.requestBody(
                "salesforce:compositeUpsertSObjectCollections?sObjectName=Account&sObjectIdName=Pg_Id__c",
                List.of(existing, fresh), List.class);
        assertThat(upserted).hasSize(2);
        assertThat(upserted.get(0).getCreated()).isFalse();
        assertThat(upserted.get(0).getId()).isEqualTo(ids.get(0));
        assertThat(upserted.get(1).getCreated()).isTrue();
        assertThat(stored(emulator, ids.get(0))).containsEntry("Name", "C1 upserted");
        assertThat(stored(emulator, upserted.get(1).getId())).containsEntry("Pg_Id__c", "pg-4");
        assertThat(emulator.store().count(account)).isEqualTo(4);

        // delete
        List<DeleteSObjectResult> deleted = template.requestBodyAndHeader("salesforce:compositeDeleteSObjectCollections",
                null, "sObjectIds", List.of(ids.get(0), ids.get(1)), List.class);
        assertThat(deleted).extracting(DeleteSObjectResult::getSuccess).containsExactly(true, true);
        assertThat(deleted).extracting(DeleteSObjectResult::getId).containsExactly(ids.get(0), ids.get(1));
        assertThat(stored(emulator, ids.get(0))).containsEntry("IsDeleted", true);
        assertThat(stored(emulator, ids.get(2))).containsEntry("IsDeleted", false);
    }

    @Test
    void partialFailureWithoutAllOrNone() {
        Account missingName = new Account(); // Name is required on Account
        List<SaveSObjectResult> results = create(List.of(Account.named("Good 1"), missingName, Account.named("Good 2")), false);
        assertThat(results).hasSize(3);
        assertThat(results.get(0).getSuccess()).isTrue();
        assertThat(results.get(2).getSuccess()).isTrue();
        SaveSObjectResult failed = results.get(1);
        assertThat(failed.getSuccess()).isFalse();
        assertThat(failed.getId()).isNull();
        assertThat(failed.getErrors()).hasSize(1);
        RestError error = failed.getErrors().get(0);
        // the emulator writes "statusCode"; camel's RestError maps it to errorCode
        assertThat(error.getErrorCode()).isEqualTo("REQUIRED_FIELD_MISSING");
        assertThat(error.getMessage()).contains("Name");
        assertThat(error.getFields()).contains("Name");
        assertThat(emulator.store().count(account)).isEqualTo(2);
        assertThat(stored(emulator, results.get(0).getId())).containsEntry("Name", "Good 1");
        assertThat(stored(emulator, results.get(2).getId())).containsEntry("Name", "Good 2");
    }

    @Test
    void allOrNoneRollsBackEverything() {
        List<SaveSObjectResult> results = create(List.of(Account.named("Good 1"), new Account(), Account.named("Good 2")), true);
        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.getSuccess()).isFalse());
        assertThat(results.get(1).getErrors()).extracting(RestError::getErrorCode).containsExactly("REQUIRED_FIELD_MISSING");
        assertThat(results.get(0).getErrors()).extracting(RestError::getErrorCode).containsExactly(ROLLED_BACK);
        assertThat(results.get(2).getErrors()).extracting(RestError::getErrorCode).containsExactly(ROLLED_BACK);
        assertThat(results.get(0).getErrors().get(0).getMessage())
                .isEqualTo("Record rolled back because not all records were valid and the request was using AllOrNone header");
        assertThat(emulator.store().count(account)).isZero();
        assertThat(emulator.store().all(account, true)).isEmpty();
    }

    @Test
    void allOrNoneDeleteWithABadIdRollsBack() {
        List<String> ids = create(List.of(Account.named("D1"), Account.named("D2")), false).stream()
                .map(SaveSObjectResult::getId).toList();
        List<DeleteSObjectResult> deleted = template.requestBodyAndHeaders("salesforce:compositeDeleteSObjectCollections",
                null, Map.of("sObjectIds", List.of(ids.get(0), "001000000000000AAA", ids.get(1)), "allOrNone", true), List.class);
        assertThat(deleted).extracting(DeleteSObjectResult::getSuccess).containsOnly(false);
        assertThat(deleted.get(0).getErrors()).extracting(RestError::getErrorCode).containsExactly(ROLLED_BACK);
        assertThat(deleted.get(1).getErrors()).extracting(RestError::getErrorCode).doesNotContain(ROLLED_BACK);
        assertThat(stored(emulator, ids.get(0))).containsEntry("IsDeleted", false);
        assertThat(stored(emulator, ids.get(1))).containsEntry("IsDeleted", false);
    }

    @Test
    void moreThan200RecordsIsRejected() {
        List<Account> many = IntStream.range(0, 201).mapToObj(i -> Account.named("Bulk " + i)).toList();
        Throwable t = catchThrowable(() -> create(many, false));
        SalesforceException se = salesforceCause(t);
        assertThat(se).as(messages(t)).isNotNull();
        assertThat(se.getStatusCode()).isEqualTo(400);
        assertThat(se.getErrors()).extracting(RestError::getErrorCode).containsExactly("EXCEEDED_ID_LIMIT");
        assertThat(emulator.store().count(account)).isZero();

        // exactly 200 is fine
        List<SaveSObjectResult> ok = create(many.subList(0, 200), false);
        assertThat(ok).hasSize(200).allSatisfy(r -> assertThat(r.getSuccess()).isTrue());
        assertThat(emulator.store().count(account)).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private List<SaveSObjectResult> create(List<Account> records, boolean allOrNone) {
        return template.requestBodyAndHeader("salesforce:compositeCreateSObjectCollections", records, "allOrNone", allOrNone,
                List.class);
    }
}
