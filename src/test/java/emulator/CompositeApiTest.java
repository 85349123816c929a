package emulator;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp.Reply;
import emulator.admin.Faults;
import emulator.cdc.StreamEvent;
import emulator.model.ObjectDef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static emulator.EmulatorHttp.V;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Composite resource over HTTP: subrequests to sObject rows and sObject Collections run in
 * order as the caller with the caller's call options, one API call in all, per-subrequest
 * failures in the answer, and the request-level limits.
 */
class CompositeApiTest {
    static SalesforceEmulator org;
    static ObjectDef account;
    EmulatorHttp http;

    @BeforeAll
    static void start() {
        org = SalesforceEmulator.start(EmulatorOptions.defaults());
        account = org.schema().object("Account");
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
        org.counters().reset();
    }

    @Test
    void collectionsAndRowSubrequestsRunInOrderAsOneApiCallTaggedWithTheCallOptions() {
        String existing = create("Existing");
        String doomed = create("Doomed");
        org.counters().reset();

        Reply r = composite("""
                {"allOrNone":false,"collateSubrequests":false,"compositeRequest":[
                 {"method":"POST","url":"%1$s/composite/sobjects","referenceId":"c0",
                  "body":{"allOrNone":false,"records":[{"attributes":{"type":"Account"},"Name":"New 1"},
                                                       {"attributes":{"type":"Account"},"Name":"New 2"}]}},
                 {"method":"PATCH","url":"%1$s/composite/sobjects","referenceId":"u1",
                  "body":{"allOrNone":false,"records":[{"attributes":{"type":"Account"},"id":"%2$s","Name":"Renamed"},
                                                       {"attributes":{"type":"Account"},"id":"001000000000000AAA","Name":"Nobody"}]}},
                 {"method":"DELETE","url":"%1$s/composite/sobjects?ids=%3$s&allOrNone=false","referenceId":"d2"},
                 {"method":"PATCH","url":"%1$s/sobjects/Account/%2$s","referenceId":"row3","body":{"Phone":"555"}}
                ]}""".formatted(V, existing, doomed));

        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("compositeResponse");
        assertThat(results).extracting(n -> n.get("referenceId").asText()).containsExactly("c0", "u1", "d2", "row3");
        assertThat(results).extracting(n -> n.get("httpStatusCode").asInt()).containsExactly(200, 200, 200, 204);
        JsonNode created = results.get(0).get("body");
        assertThat(created).hasSize(2).allSatisfy(n -> assertThat(n.get("success").asBoolean()).isTrue());
        assertThat(results.get(1).get("body").get(0).get("success").asBoolean()).isTrue();
        assertThat(results.get(1).get("body").get(1).get("success").asBoolean()).isFalse();
        assertThat(results.get(2).get("body").get(0).get("id").asText()).isEqualTo(doomed);
        assertThat(results.get(3).get("body").isNull()).isTrue();

        assertThat(name(created.get(0).get("id").asText())).isEqualTo("New 1");
        assertThat(org.store().find(account, existing)).containsEntry("Name", "Renamed").containsEntry("Phone", "555");
        assertThat(org.store().find(account, doomed).get("IsDeleted")).isEqualTo(true);
        assertThat(changeOrigin(existing, "UPDATE")).endsWith("client=sluice");
        assertThat(changeOrigin(created.get(1).get("id").asText(), "CREATE")).endsWith("client=sluice");

        assertThat(org.counters().apiRequests()).as("the whole series is one API call").isEqualTo(1);
        assertThat(r.header("Sforce-Limit-Info")).startsWith("api-usage=1/");
        assertThat(org.counters().get("rest.composite")).isEqualTo(1);
        assertThat(org.counters().get("rest.composite.sobjects.create")).as("no direct collections call").isZero();
        assertThat(org.counters().get("composite.rest.composite.sobjects.create")).isEqualTo(1);
        assertThat(org.counters().get("composite.rest.composite.sobjects.update")).isEqualTo(1);
        assertThat(org.counters().get("composite.rest.composite.sobjects.delete")).isEqualTo(1);
        assertThat(org.counters().get("composite.rest.sobject.update")).isEqualTo(1);
    }

    @Test
    void aFailedSubrequestIsAnsweredInPlaceAndTheOthersStillRun() {
        org.faults().add("composite.rest.composite.sobjects.update", Faults.Kind.UNABLE_TO_LOCK_ROW, 1);

        Reply r = composite("""
                {"allOrNone":false,"compositeRequest":[
                 {"method":"GET","url":"%1$s/limits","referenceId":"limits"},
                 {"method":"POST","url":"%1$s/nowhere","referenceId":"nowhere"},
                 {"method":"PATCH","url":"%1$s/composite/sobjects","referenceId":"locked",
                  "body":{"allOrNone":false,"records":[{"attributes":{"type":"Account"},"id":"001000000000000AAA","Name":"x"}]}},
                 {"method":"POST","url":"%1$s/sobjects/Account","referenceId":"ref","body":{"Name":"@{limits.id}"}},
                 {"method":"POST","url":"%1$s/sobjects/Account","referenceId":"plain","body":{"Name":"Plain"}}
                ]}""".formatted(V));

        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("compositeResponse");
        assertThat(results).extracting(n -> n.get("httpStatusCode").asInt()).containsExactly(404, 404, 400, 400, 201);
        assertThat(results.get(1).get("body").get(0).get("errorCode").asText()).isEqualTo("NOT_FOUND");
        assertThat(results.get(2).get("body").get(0).get("errorCode").asText()).isEqualTo("UNABLE_TO_LOCK_ROW");
        assertThat(results.get(3).get("body").get(0).get("errorCode").asText()).isEqualTo("UNSUPPORTED_BY_EMULATOR");
        assertThat(results.get(3).get("body").get(0).get("message").asText()).contains("@{referenceId.field}");
        assertThat(name(results.get(4).get("body").get("id").asText())).isEqualTo("Plain");
        assertThat(org.store().count(account)).isEqualTo(1);
        assertThat(org.counters().apiRequests()).isEqualTo(1);
    }

    @Test
    void moreThanTwentyFiveSubrequestsAreRefusedAndNothingRuns() {
        String subrequests = IntStream.range(0, 26)
                .mapToObj(i -> "{\"method\":\"POST\",\"url\":\"" + V + "/sobjects/Account\",\"referenceId\":\"a" + i
                        + "\",\"body\":{\"Name\":\"A" + i + "\"}}")
                .collect(Collectors.joining(","));

        Reply r = composite("{\"compositeRequest\":[" + subrequests + "]}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get(0).get("errorCode").asText()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(r.json().get(0).get("message").asText()).contains("25");
        assertThat(org.store().count(account)).isZero();
    }

    @Test
    void moreThanFiveCollectionsSubrequestsAreRefused() {
        String subrequests = IntStream.range(0, 6)
                .mapToObj(i -> "{\"method\":\"POST\",\"url\":\"" + V + "/composite/sobjects\",\"referenceId\":\"c" + i
                        + "\",\"body\":{\"records\":[{\"attributes\":{\"type\":\"Account\"},\"Name\":\"A" + i + "\"}]}}")
                .collect(Collectors.joining(","));

        Reply r = composite("{\"compositeRequest\":[" + subrequests + "]}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get(0).get("message").asText()).contains("at most 5 sObject Collections");
        assertThat(org.store().count(account)).isZero();
    }

    @Test
    void allOrNoneIsRefusedAsUnsupportedByTheEmulator() {
        Reply r = composite("""
                {"allOrNone":true,"compositeRequest":[
                 {"method":"POST","url":"%s/sobjects/Account","referenceId":"a","body":{"Name":"A"}}]}""".formatted(V));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get(0).get("errorCode").asText()).isEqualTo("UNSUPPORTED_BY_EMULATOR");
        assertThat(r.json().get(0).get("message").asText()).contains("allOrNone=true");
        assertThat(org.store().count(account)).isZero();
    }

    private Reply composite(String json) {
        return http.send("POST", V + "/composite", json, Map.of("Content-Type", "application/json",
                "Sforce-Call-Options", "client=sluice"));
    }

    private String create(String name) {
        Reply r = http.post(V + "/sobjects/Account", "{\"Name\":\"" + name + "\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static Object name(String id) {
        return org.store().find(account, id).get("Name");
    }

    private static String changeOrigin(String id, String changeType) {
        return org.bus().retained().stream()
                .map(StreamEvent::payload)
                .map(p -> (Map<?, ?>) p.get("ChangeEventHeader"))
                .filter(h -> changeType.equals(h.get("changeType")) && ((List<?>) h.get("recordIds")).contains(id))
                .map(h -> (String) h.get("changeOrigin"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + changeType + " event for " + id));
    }
}
