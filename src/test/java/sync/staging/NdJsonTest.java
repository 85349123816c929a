package sync.staging;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NdJsonTest {

    private static final String KEY = "changes/Account/2024/04/09/20/0000000000037904280-0000000000037904281.ndjson";

    /** A CometD data object shaped like the captured Account UPDATE sample. */
    static Map<String, Object> data(long replayId, String name, String description) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("entityName", "Account");
        header.put("recordIds", List.of("0015f00002J9YaUAAV"));
        header.put("changeType", "UPDATE");
        header.put("changeOrigin", "com/salesforce/api/rest/61.0;client=sluice");
        header.put("transactionKey", "0001ae4b-7024-a64a-87f0-f2c8cebdca76");
        header.put("sequenceNumber", 1);
        header.put("commitTimestamp", 1712694387000L);
        header.put("commitNumber", 11654876543210L);
        header.put("commitUser", "0055f000005mc6sAAA");
        header.put("changedFields", List.of("Name", "Description", "AnnualRevenue", "Phone"));
        header.put("nulledFields", List.of("Phone"));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("ChangeEventHeader", header);
        payload.put("Name", name);
        payload.put("Description", description);
        payload.put("AnnualRevenue", new BigDecimal("12345678901234.56"));
        payload.put("Phone", null);
        payload.put("BillingAddress", Map.of("Street", "1 Main St\nSuite 2"));
        payload.put("LastModifiedDate", "2024-04-09T20:26:27.000Z");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("schema", "IeRuaY6cbI_HsV8Rv1Mc5g");
        data.put("payload", payload);
        data.put("event", Map.of("replayId", replayId));
        return data;
    }

    @Test
    void roundTripKeepsEveryEventWhole() {
        String longText = "Grüße aus Köln — 東京 🚀 \"quoted\" \\ tab\t nl\n U+2028\u2028 ".repeat(2_000);
        List<StagedEvent> events = List.of(
                new StagedEvent(37904280L, "/data/AccountChangeEvent", "account", data(37904280L, "Acme", longText)),
                new StagedEvent(Long.MAX_VALUE, "/data/AccountChangeEvent", "account", data(Long.MAX_VALUE, "Ünïcødé", "")));

        byte[] encoded = NdJson.encode(events);
        List<StagedEvent> decoded = NdJson.decode(KEY, encoded);

        assertThat(new String(encoded, StandardCharsets.UTF_8)).endsWith("\n").hasLineCount(2);
        assertThat(decoded).hasSize(2);
        assertThat(decoded.get(0).replayId()).isEqualTo(37904280L);
        assertThat(decoded.get(1).replayId()).isEqualTo(Long.MAX_VALUE);
        assertThat(decoded.get(0).payload())
                .containsEntry("Description", longText)
                .containsEntry("AnnualRevenue", new BigDecimal("12345678901234.56"))
                .containsEntry("Phone", null);
        assertThat(decoded.get(0).header()).containsEntry("commitTimestamp", 1712694387000L);
        assertThat(decoded.get(0).commitTime()).contains(java.time.Instant.ofEpochMilli(1712694387000L));
        assertThat(decoded.get(1).payload()).containsEntry("Name", "Ünïcødé");
        assertThat(NdJson.encode(decoded)).isEqualTo(encoded);
    }

    @Test
    void emptyBatchIsEmpty() {
        assertThat(NdJson.encode(List.of())).isEmpty();
        assertThat(NdJson.decode(KEY, new byte[0])).isEmpty();
    }

    @Test
    void aCorruptedLineFailsNamingKeyAndLine() {
        List<StagedEvent> events = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            events.add(new StagedEvent(id, "/data/AccountChangeEvent", "account", data(id, "n" + id, "d")));
        }
        String[] lines = new String(NdJson.encode(events), StandardCharsets.UTF_8).split("\n");
        lines[1] = lines[1].substring(0, lines[1].length() / 2); // torn write
        byte[] corrupted = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> NdJson.decode(KEY, corrupted))
                .isInstanceOfSatisfying(NdJson.MalformedBatchException.class, e -> {
                    assertThat(e.key()).isEqualTo(KEY);
                    assertThat(e.line()).isEqualTo(2);
                })
                .hasMessageContaining(KEY)
                .hasMessageContaining("line 2");
    }

    @Test
    void linesThatAreNotStagedEventsAreNeverSkipped() {
        Map<String, Integer> badLineOf = new HashMap<>();
        String good = new String(NdJson.encode(List.of(new StagedEvent(1, "/data/A", "a", Map.of()))), StandardCharsets.UTF_8);
        badLineOf.put(good + "\n" + good, 2);                                        // empty line
        badLineOf.put(good + "[1,2]\n", 2);                                          // not an object
        badLineOf.put("{\"replayId\":\"1\",\"channel\":\"c\",\"mapping\":\"m\",\"event\":{}}\n", 1);
        badLineOf.put("{\"replayId\":1.5,\"channel\":\"c\",\"mapping\":\"m\",\"event\":{}}\n", 1);
        badLineOf.put("{\"replayId\":1,\"channel\":\"c\",\"mapping\":\"m\"}\n", 1);  // no event
        badLineOf.put("{\"replayId\":1,\"channel\":\"c\",\"mapping\":\"m\",\"event\":{}} trailing\n", 1);
        badLineOf.put(good + good + "{\"replayId\":1,\"replayId\":2,\"channel\":\"c\",\"mapping\":\"m\",\"event\":{}}\n", 3);

        badLineOf.forEach((content, line) -> assertThatThrownBy(() -> NdJson.decode(KEY, content.getBytes(StandardCharsets.UTF_8)))
                .as(content)
                .isInstanceOfSatisfying(NdJson.MalformedBatchException.class, e -> assertThat(e.line()).isEqualTo(line)));
    }

    @Test
    void aLastLineWithoutItsNewlineIsReadWhenComplete() {
        byte[] encoded = NdJson.encode(List.of(new StagedEvent(5, "/data/A", "a", Map.of("k", "v"))));
        byte[] withoutNewline = java.util.Arrays.copyOf(encoded, encoded.length - 1);

        assertThat(NdJson.decode(KEY, withoutNewline)).extracting(StagedEvent::replayId).containsExactly(5L);
    }
}
