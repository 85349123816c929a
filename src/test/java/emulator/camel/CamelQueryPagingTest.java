package emulator.camel;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.api.dto.DeleteSObjectResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static emulator.camel.CamelEmulatorSupport.admin;
import static emulator.camel.CamelEmulatorSupport.component;
import static emulator.camel.CamelEmulatorSupport.context;
import static emulator.camel.CamelEmulatorSupport.json;
import static emulator.camel.CamelEmulatorSupport.parse;
import static emulator.camel.CamelEmulatorSupport.reset;
import static emulator.camel.CamelEmulatorSupport.stopQuietly;
import static org.assertj.core.api.Assertions.assertThat;

/** query / queryMore / queryAll paging over 4,500 seeded Accounts through camel-salesforce. */
class CamelQueryPagingTest {
    private static final int N = 4_500;
    private static final String SOQL = "SELECT Id, Name FROM Account";

    private static SalesforceEmulator emulator;
    private static CamelContext ctx;
    private static ProducerTemplate template;
    private static List<String> seededIds;

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
    void seed() {
        reset(emulator);
        List<Map<String, Object>> accounts = IntStream.rangeClosed(1, N).mapToObj(i -> Map.<String, Object>of("Name", "A" + i)).toList();
        JsonNode ids = admin(emulator, "/emulator/seed", json(Map.of("Account", accounts))).path("ids").path("Account");
        seededIds = new ArrayList<>();
        ids.forEach(n -> seededIds.add(n.asText()));
        assertThat(seededIds).hasSize(N).doesNotHaveDuplicates();
        emulator.counters().reset();
    }

    @Test
    void queryThenQueryMoreReturnsEveryRecordOnce() {
        Map<String, String> byId = new LinkedHashMap<>();
        JsonNode page = parse(template.requestBody("salesforce:query?rawPayload=true", SOQL, String.class));
        assertThat(page.path("totalSize").asInt()).isEqualTo(N);
        int pages = 1;
        collect(page, byId);
        while (!page.path("done").asBoolean()) {
            String next = page.path("nextRecordsUrl").asText();
            assertThat(next).startsWith("/services/data/v" + CamelEmulatorSupport.API_VERSION + "/query/01g");
            page = parse(template.requestBody("salesforce:queryMore?rawPayload=true", next, String.class));
            assertThat(page.path("totalSize").asInt()).isEqualTo(N);
            collect(page, byId);
            pages++;
        }
        assertThat(page.has("nextRecordsUrl")).isFalse();
        assertThat(pages).isEqualTo(3); // 2000 + 2000 + 500
        assertThat(byId).hasSize(N);
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(seededIds);
        assertThat(new HashSet<>(byId.values())).hasSize(N).contains("A1", "A2250", "A4500");
        assertThat(emulator.counters().get("rest.query")).isEqualTo(1);
        assertThat(emulator.counters().get("rest.query.more")).isEqualTo(2);
    }

    @Test
    void streamQueryResultIteratesAcrossPagesWithTypedRecords() {
        Iterator<?> it = template.requestBodyAndHeader("salesforce:query?streamQueryResult=true&sObjectClass="
                + QueryRecordsAccount.class.getName(), SOQL, "x", "y", Iterator.class);
        Set<String> ids = new HashSet<>();
        int count = 0;
        while (it.hasNext()) {
            Account a = (Account) it.next();
            ids.add(a.getId());
            assertThat(a.getName()).startsWith("A");
            count++;
        }
        assertThat(count).isEqualTo(N);
        assertThat(ids).hasSize(N);
        assertThat(emulator.counters().get("rest.query.more")).isEqualTo(2);
    }

    @Test
    void queryAllAlsoSeesDeletedRecords() {
        List<String> toDelete = seededIds.subList(100, 110);
        @SuppressWarnings("unchecked")
        List<DeleteSObjectResult> deleted = template.requestBodyAndHeader("salesforce:compositeDeleteSObjectCollections", null,
                "sObjectIds", toDelete, List.class);
        assertThat(deleted).extracting(DeleteSObjectResult::getSuccess).containsOnly(true);

        JsonNode live = parse(template.requestBody("salesforce:query?rawPayload=true", "SELECT COUNT() FROM Account", String.class));
        assertThat(live.path("totalSize").asInt()).isEqualTo(N - 10);

        Map<String, String> all = new LinkedHashMap<>();
        Set<String> deletedSeen = new HashSet<>();
        JsonNode page = parse(template.requestBody("salesforce:queryAll?rawPayload=true", "SELECT Id, Name, IsDeleted FROM Account",
                String.class));
        assertThat(page.path("totalSize").asInt()).isEqualTo(N);
        while (true) {
            for (JsonNode r : page.path("records")) {
                all.put(r.path("Id").asText(), r.path("Name").asText());
                if (r.path("IsDeleted").asBoolean()) {
                    deletedSeen.add(r.path("Id").asText());
                }
            }
            if (page.path("done").asBoolean()) {
                break;
            }
            page = parse(template.requestBody("salesforce:queryMore?rawPayload=true", page.path("nextRecordsUrl").asText(), String.class));
        }
        assertThat(all).hasSize(N);
        assertThat(deletedSeen).containsExactlyInAnyOrderElementsOf(toDelete);

        JsonNode onlyDeleted = parse(template.requestBody("salesforce:queryAll?rawPayload=true",
                "SELECT Id FROM Account WHERE IsDeleted = true", String.class));
        assertThat(onlyDeleted.path("totalSize").asInt()).isEqualTo(10);
        JsonNode liveOnly = parse(template.requestBody("salesforce:query?rawPayload=true",
                "SELECT Id FROM Account WHERE IsDeleted = true", String.class));
        assertThat(liveOnly.path("totalSize").asInt()).isZero();
    }

    private static void collect(JsonNode page, Map<String, String> byId) {
        for (JsonNode r : page.path("records")) {
            String previous = byId.put(r.path("Id").asText(), r.path("Name").asText());
            assertThat(previous).as("record %s returned twice", r.path("Id").asText()).isNull();
        }
    }
}
