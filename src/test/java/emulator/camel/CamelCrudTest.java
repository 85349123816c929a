package emulator.camel;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.api.NoSuchSObjectException;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.CreateSObjectResult;
import org.apache.camel.component.salesforce.api.dto.GlobalObjects;
import org.apache.camel.component.salesforce.api.dto.Limits;
import org.apache.camel.component.salesforce.api.dto.SObjectBasicInfo;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;
import org.apache.camel.component.salesforce.api.dto.Version;
import org.apache.camel.component.salesforce.api.dto.SObjectField;
import org.apache.camel.component.salesforce.api.dto.UpsertSObjectResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import static emulator.camel.CamelEmulatorSupport.admin;
import static emulator.camel.CamelEmulatorSupport.component;
import static emulator.camel.CamelEmulatorSupport.context;
import static emulator.camel.CamelEmulatorSupport.messages;
import static emulator.camel.CamelEmulatorSupport.parse;
import static emulator.camel.CamelEmulatorSupport.reset;
import static emulator.camel.CamelEmulatorSupport.salesforceCause;
import static emulator.camel.CamelEmulatorSupport.stopQuietly;
import static emulator.camel.CamelEmulatorSupport.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Single-record REST operations, describe and limits through camel-salesforce producers. */
class CamelCrudTest {
    private static SalesforceEmulator emulator;
    private static CamelContext ctx;
    private static ProducerTemplate template;

    @BeforeAll
    static void start() {
        emulator = SalesforceEmulator.start(EmulatorOptions.defaults());
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
    void createGetUpdateDeleteWithRawJson() {
        // create: raw JSON in, typed CreateSObjectResult out
        CreateSObjectResult created = template.requestBody("salesforce:createSObject?sObjectName=Account",
                "{\"Name\":\"Acme\",\"Industry\":\"Energy\",\"NumberOfEmployees\":42}", CreateSObjectResult.class);
        assertThat(created.getSuccess()).isTrue();
        assertThat(created.getErrors()).isEmpty();
        String id = created.getId();
        assertThat(id).hasSize(18).startsWith("001");
        assertThat(stored(emulator, id)).containsEntry("Name", "Acme").containsEntry("Industry", "Energy");
        assertThat(emulator.counters().get("rest.sobject.create")).isEqualTo(1);

        // get (raw): the record JSON as Salesforce renders it
        String raw = template.requestBody("salesforce:getSObject?sObjectName=Account&rawPayload=true"
                + "&sObjectFields=Id,Name,Industry,NumberOfEmployees,CreatedDate", id, String.class);
        JsonNode rec = parse(raw);
        assertThat(rec.path("attributes").path("type").asText()).isEqualTo("Account");
        assertThat(rec.path("Id").asText()).isEqualTo(id);
        assertThat(rec.path("Name").asText()).isEqualTo("Acme");
        assertThat(rec.path("NumberOfEmployees").asInt()).isEqualTo(42);
        assertThat(rec.path("CreatedDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");

        // get (typed): camel's class map resolves "Account" to the DTO and parses +0000 datetimes
        Account typed = template.requestBody("salesforce:getSObject?sObjectName=Account", id, Account.class);
        assertThat(typed.getId()).isEqualTo(id);
        assertThat(typed.getName()).isEqualTo("Acme");
        assertThat(typed.getNumberOfEmployees()).isEqualTo(42);
        assertThat(typed.getOwnerId()).isEqualTo(emulator.userId());
        assertThat(typed.getCreatedDate()).isBeforeOrEqualTo(ZonedDateTime.now());

        // update: PATCH -> 204 (camel keeps the request body as the reply body)
        template.requestBodyAndHeader("salesforce:updateSObject?sObjectName=Account",
                "{\"Industry\":\"Banking\",\"Description\":\"updated by camel\"}", "sObjectId", id);
        assertThat(emulator.counters().get("rest.sobject.update")).isEqualTo(1);
        assertThat(stored(emulator, id)).containsEntry("Industry", "Banking").containsEntry("Description", "updated by camel")
                .containsEntry("Name", "Acme");

        // update with a DTO body: camel takes name and Id from the object
        Account dto = new Account();
        dto.setId(id);
        dto.setAccountNumber("AN-1");
        dto.getFieldsToNull().add("Description"); // explicit null: {"AccountNumber":"AN-1","Description":null}
        template.requestBody("salesforce:updateSObject", dto);
        assertThat(stored(emulator, id)).containsEntry("AccountNumber", "AN-1").containsEntry("Industry", "Banking")
                .containsEntry("Description", null).containsEntry("NumberOfEmployees", 42L);

        // delete
        template.requestBodyAndHeader("salesforce:deleteSObject?sObjectName=Account", null, "sObjectId", id);
        assertThat(stored(emulator, id)).containsEntry("IsDeleted", true);
        assertThat(emulator.counters().get("rest.sobject.delete")).isEqualTo(1);

        // get after delete: 404 ENTITY_IS_DELETED -> NoSuchSObjectException
        Throwable gone = catchThrowable(() -> template.requestBody("salesforce:getSObject?sObjectName=Account&rawPayload=true", id, String.class));
        SalesforceException se = salesforceCause(gone);
        assertThat(se).as(messages(gone)).isInstanceOf(NoSuchSObjectException.class);
        assertThat(se.getStatusCode()).isEqualTo(404);
    }

    @Test
    void createWithDtoAndUnknownFieldError() {
        Account a = Account.named("Typed Inc");
        a.setIndustry("Retail");
        a.setPg_Id__c("pg-typed");
        CreateSObjectResult created = template.requestBody("salesforce:createSObject", a, CreateSObjectResult.class);
        assertThat(stored(emulator, created.getId())).containsEntry("Name", "Typed Inc").containsEntry("Pg_Id__c", "pg-typed");

        Throwable bad = catchThrowable(() -> template.requestBody("salesforce:createSObject?sObjectName=Account",
                "{\"Name\":\"x\",\"Nope__c\":1}", CreateSObjectResult.class));
        SalesforceException se = salesforceCause(bad);
        assertThat(se).as(messages(bad)).isNotNull();
        assertThat(se.getStatusCode()).isEqualTo(400);
        assertThat(se.getErrors()).extracting(e -> e.getErrorCode()).containsExactly("INVALID_FIELD");
        assertThat(emulator.store().count(emulator.schema().object("Account"))).isEqualTo(1);
    }

    @Test
    void upsertByExternalIdInsertsThenUpdates() {
        String uri = "salesforce:upsertSObject?sObjectName=Account&sObjectIdName=Pg_Id__c";
        UpsertSObjectResult first = template.requestBodyAndHeader(uri, "{\"Name\":\"Upserted\"}", "sObjectIdValue", "pg 42/a",
                UpsertSObjectResult.class);
        assertThat(first.getCreated()).isTrue();
        assertThat(first.getSuccess()).isTrue();
        String id = first.getId();
        assertThat(stored(emulator, id)).containsEntry("Name", "Upserted").containsEntry("Pg_Id__c", "pg 42/a");

        UpsertSObjectResult second = template.requestBodyAndHeader(uri, "{\"Name\":\"Upserted again\"}", "sObjectIdValue", "pg 42/a",
                UpsertSObjectResult.class);
        assertThat(second.getCreated()).isFalse();
        assertThat(second.getId()).isEqualTo(id);
        assertThat(stored(emulator, id)).containsEntry("Name", "Upserted again");
        assertThat(emulator.store().count(emulator.schema().object("Account"))).isEqualTo(1);
        assertThat(emulator.counters().get("rest.sobject.upsert")).isEqualTo(2);

        // DTO upsert: camel reads and clears the external id property, then restores it
        Account dto = Account.named("Dto upsert");
        dto.setPg_Id__c("pg-dto");
        UpsertSObjectResult third = template.requestBodyAndHeader("salesforce:upsertSObject", dto, "sObjectIdName", "Pg_Id__c",
                UpsertSObjectResult.class);
        assertThat(third.getCreated()).isTrue();
        assertThat(stored(emulator, third.getId())).containsEntry("Pg_Id__c", "pg-dto");

        // getSObjectWithId / deleteSObjectWithId by the external id
        Account byExt = template.requestBodyAndHeader("salesforce:getSObjectWithId?sObjectName=Account&sObjectIdName=Pg_Id__c",
                "pg-dto", "x", "y", Account.class);
        assertThat(byExt.getId()).isEqualTo(third.getId());
        template.requestBodyAndHeader("salesforce:deleteSObjectWithId?sObjectName=Account&sObjectIdName=Pg_Id__c", "pg-dto", "x", "y");
        assertThat(stored(emulator, third.getId())).containsEntry("IsDeleted", true);
    }

    @Test
    void describeGlobalObjectsAndLimits() {
        GlobalObjects global = template.requestBody("salesforce:getGlobalObjects", null, GlobalObjects.class);
        assertThat(global.getSobjects()).anySatisfy(o -> {
            assertThat(o.getName()).isEqualTo("Account");
            assertThat(o.getKeyPrefix()).isEqualTo("001");
        });

        SObjectDescription d = template.requestBody("salesforce:getDescription?sObjectName=Account", null, SObjectDescription.class);
        assertThat(d.getName()).isEqualTo("Account");
        assertThat(d.getKeyPrefix()).isEqualTo("001");
        Map<String, SObjectField> fields = new java.util.HashMap<>();
        d.getFields().forEach(f -> fields.put(f.getName(), f));
        assertThat(fields).containsKeys("Id", "Name", "Industry", "BillingAddress", "BillingStreet", "Pg_Id__c", "CreatedDate");
        assertThat(fields.get("Pg_Id__c").isExternalId()).isTrue();
        assertThat(fields.get("Id").getSoapType()).isEqualTo("tns:ID");
        assertThat(fields.get("CreatedDate").getSoapType()).isEqualTo("xsd:dateTime");
        assertThat(emulator.counters().get("rest.sobject.describe")).isEqualTo(1);

        Limits limits = template.requestBody("salesforce:limits", null, Limits.class);
        assertThat(limits.getDailyApiRequests().getMax()).isEqualTo((int) emulator.options().dailyApiRequests());
        // describeGlobal + describe + limits itself have been counted
        assertThat(limits.getDailyApiRequests().getRemaining()).isEqualTo((int) emulator.options().dailyApiRequests() - 3);
        assertThat(limits.forOperation("DailyBulkV2QueryJobs").getMax()).isEqualTo(10_000);

        // response headers reach the camel message: Sforce-Limit-Info counts this 4th call
        org.apache.camel.Exchange reply = template.request("salesforce:getGlobalObjects", e -> { });
        assertThat(reply.getException()).isNull();
        assertThat(reply.getMessage().getHeader("Sforce-Limit-Info", String.class))
                .isEqualTo("api-usage=4/" + emulator.options().dailyApiRequests());
    }

    @Test
    @SuppressWarnings("unchecked")
    void versionsResourcesAndBasicInfo() {
        List<Version> versions = template.requestBody("salesforce:getVersions", null, List.class);
        assertThat(versions).extracting(Version::getVersion).contains(CamelEmulatorSupport.API_VERSION, "37.0");
        assertThat(versions).filteredOn(v -> v.getVersion().equals(CamelEmulatorSupport.API_VERSION)).singleElement()
                .satisfies(v -> assertThat(v.getUrl()).isEqualTo("/services/data/v" + CamelEmulatorSupport.API_VERSION));

        Map<String, String> resources = template.requestBody("salesforce:getResources", null, Map.class);
        assertThat(resources).containsEntry("sobjects", "/services/data/v" + CamelEmulatorSupport.API_VERSION + "/sobjects")
                .containsKeys("query", "queryAll", "composite", "limits", "identity");

        SObjectBasicInfo info = template.requestBody("salesforce:getBasicInfo?sObjectName=Account", null, SObjectBasicInfo.class);
        assertThat(info.getObjectDescribe().getName()).isEqualTo("Account");
        assertThat(info.getObjectDescribe().getKeyPrefix()).isEqualTo("001");
        assertThat(info.getRecentItems()).isNotNull();
    }

    @Test
    void injectedFaultsSurfaceAsSalesforceExceptionsOrAreRetried() {
        // 403 REQUEST_LIMIT_EXCEEDED: no retry, nothing written
        admin(emulator, "/emulator/faults", "{\"endpoint\":\"rest.sobject.create\",\"fault\":\"REQUEST_LIMIT_EXCEEDED\"}");
        Throwable limited = catchThrowable(() -> template.requestBody("salesforce:createSObject?sObjectName=Account",
                "{\"Name\":\"Limited\"}", CreateSObjectResult.class));
        SalesforceException se = salesforceCause(limited);
        assertThat(se).as(messages(limited)).isNotNull();
        assertThat(se.getStatusCode()).isEqualTo(403);
        assertThat(se.getErrors()).extracting(e -> e.getErrorCode()).containsExactly("REQUEST_LIMIT_EXCEEDED");
        assertThat(emulator.store().count(emulator.schema().object("Account"))).isZero();

        // 401 INVALID_SESSION_ID on one call: camel logs in again and replays the write once
        long tokens = emulator.counters().get("oauth.token");
        admin(emulator, "/emulator/faults", "{\"endpoint\":\"rest.sobject.create\",\"fault\":\"INVALID_SESSION_ID\"}");
        String id = template.requestBody("salesforce:createSObject?sObjectName=Account", "{\"Name\":\"Retried\"}",
                CreateSObjectResult.class).getId();
        assertThat(stored(emulator, id)).containsEntry("Name", "Retried");
        assertThat(emulator.store().count(emulator.schema().object("Account"))).isEqualTo(1);
        assertThat(emulator.counters().get("oauth.token")).isEqualTo(tokens + 1);
    }
}
