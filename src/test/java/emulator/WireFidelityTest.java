package emulator;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static emulator.EmulatorHttp.V;
import static emulator.EmulatorHttp.sample;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the emulator's responses to the captured Salesforce payloads in
 * src/test/resources/salesforce/samples: same keys, same types, same status codes and headers.
 */
class WireFidelityTest {
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

    static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Same keys, and for each key the same JSON node type, recursively into objects. */
    static void assertSameShape(JsonNode actual, JsonNode expected, String where) {
        assertThat(actual.getNodeType()).as(where + " type").isEqualTo(expected.getNodeType());
        if (expected.isObject()) {
            assertThat(keys(actual)).as(where + " keys").isEqualTo(keys(expected));
            Iterator<String> it = expected.fieldNames();
            while (it.hasNext()) {
                String k = it.next();
                if (!expected.get(k).isNull() && !actual.get(k).isNull()) {
                    assertSameShape(actual.get(k), expected.get(k), where + "." + k);
                }
            }
        } else if (expected.isArray() && !expected.isEmpty() && !actual.isEmpty()) {
            assertSameShape(actual.get(0), expected.get(0), where + "[0]");
        }
    }

    @Test
    void passwordGrantMatchesSampleAndCamelsOrgIdRule() {
        var c = org.credentials();
        Reply r = http.form("/services/oauth2/token", Map.of("grant_type", "password", "client_id", c.clientId(),
                "client_secret", c.clientSecret(), "username", c.username(), "password", c.passwordWithToken(),
                "format", "json"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = r.json();
        assertThat(keys(body)).containsAll(keys(sample("oauth-password-token-response.json")));
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("issued_at").isTextual()).isTrue();
        assertThat(body.get("issued_at").asText()).matches("\\d{13}");
        String id = body.get("id").asText();
        // camel-salesforce reads the org id as the 18 characters after the first "id/".
        String orgId = id.substring(id.indexOf("id/") + 3, id.indexOf("id/") + 21);
        assertThat(orgId).isEqualTo(SalesforceEmulator.ORG_ID).startsWith("00D");
        assertThat(body.get("instance_url").asText()).isEqualTo(org.baseUrl());
        assertThat(Base64.getDecoder().decode(body.get("signature").asText())).hasSize(32);
    }

    @Test
    void refreshAndClientCredentialsGrantsMatchSample() {
        var c = org.credentials();
        String refresh = http.admin("sessions/refresh-token", "{}").json().get("refresh_token").asText();
        Reply r = http.form("/services/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", c.clientId(),
                "client_secret", c.clientSecret(), "refresh_token", refresh));
        assertThat(r.status()).isEqualTo(200);
        assertThat(keys(r.json())).isEqualTo(keys(sample("oauth-refresh-token-response.json")));
        Reply cc = http.form("/services/oauth2/token", Map.of("grant_type", "client_credentials",
                "client_id", c.clientId(), "client_secret", c.clientSecret()));
        assertThat(cc.status()).isEqualTo(200);
        assertThat(keys(cc.json())).isEqualTo(keys(sample("oauth-refresh-token-response.json")));
    }

    @Test
    void jwtBearerGrantVerifiesTheSignatureAndMatchesSample() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair keys = gen.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        assertThat(http.admin("jwt-key", pem).status()).isEqualTo(200);
        var c = org.credentials();
        long exp = System.currentTimeMillis() / 1000 + 120;
        String claims = "{\"iss\":\"" + c.clientId() + "\",\"sub\":\"" + c.username() + "\",\"aud\":\"" + org.baseUrl()
                + "\",\"exp\":\"" + exp + "\"}";
        String signedPart = b64("{\"alg\":\"RS256\"}") + "." + b64(claims);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(keys.getPrivate());
        s.update(signedPart.getBytes(StandardCharsets.US_ASCII));
        String jwt = signedPart + "." + Base64.getUrlEncoder().encodeToString(s.sign());
        Reply r = http.form("/services/oauth2/token", Map.of("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion", jwt));
        assertThat(r.status()).isEqualTo(200);
        assertThat(keys(r.json())).isEqualTo(keys(sample("oauth-jwt-bearer-token-response.json")));

        KeyPair other = gen.generateKeyPair();
        s.initSign(other.getPrivate());
        s.update(signedPart.getBytes(StandardCharsets.US_ASCII));
        Reply forged = http.form("/services/oauth2/token", Map.of("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion", signedPart + "." + Base64.getUrlEncoder().encodeToString(s.sign())));
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.json().get("error").asText()).isEqualTo("invalid_grant");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oauthErrorsAreTheCapturedBodies() {
        var c = org.credentials();
        Reply bad = http.form("/services/oauth2/token", Map.of("grant_type", "password", "client_id", c.clientId(),
                "client_secret", c.clientSecret(), "username", c.username(), "password", "wrong"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json()).isEqualTo(sample("oauth-error-invalid-grant-authentication-failure.json"));
        Reply expired = http.form("/services/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", c.clientId(),
                "client_secret", c.clientSecret(), "refresh_token", "not-a-token"));
        assertThat(expired.status()).isEqualTo(400);
        assertThat(expired.json()).isEqualTo(sample("oauth-error-invalid-grant-expired-refresh-token.json"));
        Reply grant = http.form("/services/oauth2/token", Map.of("grant_type", "magic"));
        assertThat(grant.json().get("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void createRetrieveUpsertMatchSamples() {
        Reply created = http.post(V + "/sobjects/Account", "{\"Name\":\"Acme\",\"BillingCity\":\"Paris\"}");
        assertThat(created.status()).isEqualTo(201);
        assertSameShape(created.json(), sample("rest-create-response.json"), "create");
        String id = created.json().get("id").asText();
        assertThat(id).hasSize(18).startsWith("001");

        Reply got = http.get(V + "/sobjects/Account/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.header("Last-Modified")).isNotNull();
        JsonNode rec = got.json();
        assertThat(rec.get("attributes").get("url").asText()).isEqualTo(V + "/sobjects/Account/" + id);
        assertThat(rec.get("CreatedDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");
        assertThat(rec.get("BillingAddress").get("city").asText()).isEqualTo("Paris");
        assertThat(rec.has("Description")).isTrue();
        assertThat(rec.get("Description").isNull()).isTrue();
        assertThat(rec.get("IsDeleted").asBoolean()).isFalse();

        Reply inserted = http.patch(V + "/sobjects/Account/Pg_Id__c/pg-1", "{\"Name\":\"Upserted\"}");
        assertThat(inserted.status()).isEqualTo(201);
        assertSameShape(inserted.json(), sample("rest-upsert-created-response.json"), "upsert");
        assertThat(inserted.json().get("created").asBoolean()).isTrue();
        Reply updated = http.patch(V + "/sobjects/Account/Pg_Id__c/pg-1", "{\"Name\":\"Again\"}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("created").asBoolean()).isFalse();
        Reply old = http.patch("/services/data/v45.0/sobjects/Account/Pg_Id__c/pg-1", "{\"Name\":\"Old API\"}");
        assertThat(old.status()).isEqualTo(204);
        assertThat(http.patch(V + "/sobjects/Account/" + id, "{\"Name\":\"Renamed\"}").status()).isEqualTo(204);
        assertThat(org.store().all(org.schema().object("Account"), false)).extracting(r -> r.get("Name"))
                .containsExactlyInAnyOrder("Renamed", "Old API");
    }

    @Test
    void queryPagesWithNextRecordsUrl() {
        StringBuilder seed = new StringBuilder("{\"Account\":[");
        for (int i = 0; i < 2300; i++) {
            seed.append(i == 0 ? "" : ",").append("{\"Name\":\"A").append(i).append("\"}");
        }
        assertThat(http.admin("seed", seed.append("]}").toString()).status()).isEqualTo(200);
        Reply first = http.get(V + "/query?q=SELECT+Id,+Name+FROM+Account+ORDER+BY+Name");
        assertThat(first.status()).isEqualTo(200);
        JsonNode page = first.json();
        assertThat(keys(page)).containsAll(keys(sample("rest-query-response.json")));
        assertSameShape(page.get("records").get(0).get("attributes"),
                sample("rest-query-response.json").get("records").get(0).get("attributes"), "attributes");
        assertThat(page.get("totalSize").asInt()).isEqualTo(2300);
        assertThat(page.get("done").asBoolean()).isFalse();
        assertThat(page.get("records")).hasSize(2000);
        String next = page.get("nextRecordsUrl").asText();
        assertThat(next).matches("/services/data/v61.0/query/01g\\w+-2000");
        JsonNode second = http.get(next).json();
        assertThat(second.get("done").asBoolean()).isTrue();
        assertThat(second.get("records")).hasSize(300);
        assertThat(second.has("nextRecordsUrl")).isFalse();

        Reply count = http.get(V + "/query?q=" + enc("SELECT COUNT() FROM Account WHERE Name LIKE 'A1%'"));
        assertThat(count.json().get("totalSize").asInt()).isEqualTo(1 + 10 + 100 + 1000);
    }

    @Test
    void queryAllSeesTheRecycleBin() {
        String id = http.post(V + "/sobjects/Account", "{\"Name\":\"Gone\"}").json().get("id").asText();
        assertThat(http.delete(V + "/sobjects/Account/" + id).status()).isEqualTo(204);
        String q = enc("SELECT Id, IsDeleted FROM Account WHERE Id = '" + id.substring(0, 15) + "'");
        assertThat(http.get(V + "/query?q=" + q).json().get("totalSize").asInt()).isZero();
        JsonNode all = http.get(V + "/queryAll?q=" + q).json();
        assertThat(all.get("totalSize").asInt()).isEqualTo(1);
        assertThat(all.get("records").get(0).get("IsDeleted").asBoolean()).isTrue();
        Reply again = http.delete(V + "/sobjects/Account/" + id);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json()).isEqualTo(sample("rest-error-entity-is-deleted.json"));
        assertThat(http.admin("undelete", "{\"ids\":[\"" + id + "\"]}").status()).isEqualTo(200);
        assertThat(http.get(V + "/sobjects/Account/" + id).status()).isEqualTo(200);
    }

    @Test
    void collectionsPartialFailureAndAllOrNoneMatchSamples() {
        Reply partial = http.post(V + "/composite/sobjects", "{\"allOrNone\":false,\"records\":["
                + "{\"attributes\":{\"type\":\"Account\"}},"
                + "{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"Ng\"}]}");
        assertThat(partial.status()).isEqualTo(200);
        assertSameShape(partial.json(), sample("rest-composite-sobjects-create-response-partial-failure.json"), "partial");
        assertSameShape(partial.json().get(1), sample("rest-composite-sobjects-create-response-partial-failure.json").get(1), "ok");
        assertThat(partial.json().get(0).get("errors").get(0).get("statusCode").asText()).isEqualTo("REQUIRED_FIELD_MISSING");
        assertThat(org.store().count(org.schema().object("Contact"))).isEqualTo(1);

        Reply rolled = http.post(V + "/composite/sobjects", "{\"allOrNone\":true,\"records\":["
                + "{\"attributes\":{\"type\":\"Account\"}},"
                + "{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"Li\"}]}");
        assertThat(rolled.json()).hasSize(2);
        assertSameShape(rolled.json().get(1), sample("rest-composite-sobjects-create-response-allornone-rollback.json").get(1), "rolled");
        assertThat(rolled.json().get(1).get("errors").get(0)).isEqualTo(
                sample("rest-composite-sobjects-create-response-allornone-rollback.json").get(1).get("errors").get(0));
        assertThat(org.store().count(org.schema().object("Contact"))).isEqualTo(1);

        Reply upsert = http.patch(V + "/composite/sobjects/Account/Pg_Id__c", "{\"records\":["
                + "{\"attributes\":{\"type\":\"Account\"},\"Pg_Id__c\":\"k1\",\"Name\":\"One\"}]}");
        assertSameShape(upsert.json(), sample("rest-composite-sobjects-upsert-response.json"), "upsert");
        String id = upsert.json().get(0).get("id").asText();
        Reply retrieve = http.post(V + "/composite/sobjects/Account", "{\"ids\":[\"" + id + "\",\"001000000000000AAA\"],\"fields\":[\"Id\",\"Name\"]}");
        assertSameShape(retrieve.json().get(0), sample("rest-composite-sobjects-retrieve-response.json").get(0), "retrieve");
        assertThat(retrieve.json().get(1).isNull()).isTrue();
    }

    @Test
    void limitsAndHeaders() {
        Reply limits = http.get(V + "/limits");
        assertThat(limits.status()).isEqualTo(200);
        JsonNode daily = limits.json().get("DailyApiRequests");
        assertSameShape(daily, sample("rest-limits-camel-test-fixture.json").get("DailyApiRequests"), "DailyApiRequests");
        assertThat(limits.header("Sforce-Limit-Info")).matches("api-usage=\\d+/\\d+");
        long used = Long.parseLong(limits.header("Sforce-Limit-Info").replaceAll("api-usage=(\\d+)/.*", "$1"));
        assertThat(daily.get("Remaining").asLong()).isEqualTo(daily.get("Max").asLong() - used);
        Reply versions = http.get("/services/data/");
        assertThat(versions.status()).isEqualTo(200);
        assertThat(versions.header("Sforce-Limit-Info")).isNull();
        assertThat(versions.json().get(0).has("label")).isTrue();
        JsonNode global = http.get(V + "/sobjects/").json();
        JsonNode fixture = sample("rest-describe-global-camel-test-fixture.json");
        assertThat(keys(global)).isEqualTo(keys(fixture));
        Set<String> fixtureObjectKeys = keys(fixture.get("sobjects").get(1));
        for (JsonNode o : global.get("sobjects")) {
            assertThat(keys(o)).isEqualTo(fixtureObjectKeys);
        }
        JsonNode describe = http.get(V + "/sobjects/Invoice__c/describe/").json();
        List<String> types = new ArrayList<>();
        describe.get("fields").forEach(f -> types.add(f.get("type").asText()));
        assertThat(types).contains("id", "reference", "currency", "percent", "double", "date", "datetime", "time",
                "boolean", "picklist", "multipicklist", "textarea", "email", "string");
        JsonNode ext = null;
        for (JsonNode f : describe.get("fields")) {
            if (f.get("name").asText().equals("External_Key__c")) {
                ext = f;
            }
        }
        assertThat(ext.get("externalId").asBoolean()).isTrue();
        assertThat(ext.get("soapType").asText()).isEqualTo("xsd:string");
    }

    @Test
    void tokenExpiryGives401InvalidSessionId() {
        assertThat(http.get(V + "/limits").status()).isEqualTo(200);
        http.admin("sessions/expire", "{}");
        Reply r = http.get(V + "/limits");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Token");
        assertThat(r.json()).isEqualTo(sample("rest-error-invalid-session-id.json"));
    }

    @Test
    void injectedRequestLimitMatchesSample() {
        http.admin("faults", "{\"endpoint\":\"rest.limits\",\"fault\":\"REQUEST_LIMIT_EXCEEDED\",\"times\":1}");
        Reply r = http.get(V + "/limits");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json()).isEqualTo(sample("rest-error-request-limit-exceeded.json"));
        assertThat(http.get(V + "/limits").status()).isEqualTo(200);
    }

    /** Bad input always gets Salesforce's error array and status, never a stack trace or a hang. */
    @ParameterizedTest(name = "{0} {1} -> {3} {4}")
    @CsvSource(delimiter = '|', value = {
            "POST|/sobjects/Account|{\"Name\":|400|JSON_PARSER_ERROR",
            "POST|/sobjects/Account||400|JSON_PARSER_ERROR",
            "POST|/sobjects/Nope__c|{\"Name\":\"x\"}|404|NOT_FOUND",
            "POST|/sobjects/Account|{\"Nope__c\":\"x\"}|400|INVALID_FIELD",
            "POST|/sobjects/Account|{\"Id\":\"001000000000000AAA\",\"Name\":\"x\"}|400|INVALID_FIELD",
            "POST|/sobjects/Account|{\"Name\":\"x\",\"CreatedDate\":\"2020-01-01T00:00:00Z\"}|400|INVALID_FIELD_FOR_INSERT_UPDATE",
            "POST|/sobjects/Account|{}|400|REQUIRED_FIELD_MISSING",
            "POST|/sobjects/Contact|{\"LastName\":\"x\",\"HasOptedOutOfEmail\":\"abc\"}|400|JSON_PARSER_ERROR",
            "POST|/sobjects/Invoice__c|{\"Amount__c\":\"ten\"}|400|JSON_PARSER_ERROR",
            "POST|/sobjects/Invoice__c|{\"Due_Date__c\":\"2024-13-45\"}|400|JSON_PARSER_ERROR",
            "POST|/sobjects/Invoice__c|{\"Status__c\":\"Lost\"}|400|INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "POST|/sobjects/Contact|{\"LastName\":\"x\",\"AccountId\":\"003000000000000AAA\"}|400|MALFORMED_ID",
            "GET|/sobjects/Account/001900K0001pPuOZAA||400|MALFORMED_ID",
            "GET|/sobjects/Account/not-an-id||400|MALFORMED_ID",
            "GET|/sobjects/Account/0018d0000000001AAA||404|NOT_FOUND",
            "GET|/query?q=SELECT+Id+FROM+Account+GROUP+BY+Name||400|MALFORMED_QUERY",
            "GET|/query?q=SELEC+Id||400|MALFORMED_QUERY",
            "GET|/query?q=SELECT+Nope__c+FROM+Account||400|INVALID_FIELD",
            "GET|/query?q=SELECT+Id+FROM+Nope__c||400|INVALID_TYPE",
            "GET|/query/01gnotalocator-2000||400|INVALID_QUERY_LOCATOR",
            "PATCH|/composite/sobjects|{\"records\":\"x\"}|400|JSON_PARSER_ERROR",
            "DELETE|/composite/sobjects||400|MISSING_ARGUMENT",
            "GET|/nope||404|NOT_FOUND",
    })
    void badInputGetsSalesforceErrors(String method, String path, String body, int status, String code) {
        Reply r = http.send(method, V + path, body, body == null ? Map.of() : Map.of("Content-Type", "application/json"));
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode error = r.json();
        assertThat(error.isArray()).as(r.body()).isTrue();
        assertThat(error.get(0).get("errorCode").asText()).isEqualTo(code);
        assertThat(error.get(0).get("message").asText()).isNotBlank().doesNotContain("Exception", "\tat ");
    }

    @Test
    void moreThan200RecordsInACollectionIsRefused() {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 201; i++) {
            records.append(i == 0 ? "" : ",").append("{\"attributes\":{\"type\":\"Account\"},\"Name\":\"n").append(i).append("\"}");
        }
        Reply r = http.post(V + "/composite/sobjects", "{\"records\":[" + records + "]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get(0).get("errorCode").asText()).isEqualTo("EXCEEDED_ID_LIMIT");
        assertThat(org.store().count(org.schema().object("Account"))).isZero();
    }

    @Test
    void errorEnvelopesMatchSamples() {
        assertSameShape(http.get(V + "/sobjects/Account/001900K0001pPuOZAA").json().get(0),
                sample("rest-error-malformed-id.json").get(0), "malformed");
        assertThat(http.get(V + "/sobjects/Account/0018d0000000001AAA").json()).isEqualTo(sample("rest-error-not-found.json"));
        assertThat(http.post(V + "/sobjects/Account", "{\"Id\":\"0018d0000000001AAA\",\"Name\":\"x\"}").json())
                .isEqualTo(sample("rest-error-invalid-field-create.json"));
        http.post(V + "/sobjects/Account", "{\"Name\":\"a\",\"Pg_Id__c\":\"dup\"}");
        JsonNode dup = http.post(V + "/sobjects/Account", "{\"Name\":\"b\",\"Pg_Id__c\":\"dup\"}").json();
        assertSameShape(dup.get(0), sample("rest-error-duplicate-value.json").get(0), "duplicate");
        JsonNode soql = http.get(V + "/query?q=" + enc("select Id, Nope__c from Account")).json();
        assertSameShape(soql.get(0), sample("rest-error-invalid-field-soql.json").get(0), "soql");
        assertThat(soql.get(0).get("message").asText()).contains("ERROR at Row:1:Column:12", "No such column 'Nope__c' on entity 'Account'");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
