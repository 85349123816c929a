package sync.change;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CdcEventsTest {
    @SuppressWarnings("unchecked")
    static Map<String, Object> sample(String name) throws Exception {
        try (InputStream in = CdcEventsTest.class.getResourceAsStream("/salesforce/samples/" + name)) {
            return new ObjectMapper().readValue(in, Map.class);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void capturedCreateBecomesOneUpsertWithItsFields() throws Exception {
        Map<String, Object> data = sample("cdc-cometd-account-create-data.json");
        Map<String, Object> payload = (Map<String, Object>) data.get("payload");
        List<Change> changes = CdcEvents.toChanges("account", (Map<String, Object>) payload.get("ChangeEventHeader"),
                payload, 37904280L);
        assertThat(changes).hasSize(1);
        Change c = changes.get(0);
        assertThat(c.op()).isEqualTo(Change.Op.UPSERT);
        assertThat(c.sfid()).isEqualTo("0015f00002J9YaUAAV");
        assertThat(c.commitTime()).isEqualTo(Instant.ofEpochMilli(1712694387000L));
        assertThat(c.position()).isEqualTo("37904280");
        assertThat(c.clientOrigin()).isEqualTo("SfdcInternalAPI/");
        assertThat(c.fields()).containsEntry("Name", "Acme").doesNotContainKey("ChangeEventHeader");
        assertThat(c.transaction()).isEqualTo(new Change.Transaction("0001ae4b-7024-a64a-87f0-f2c8cebdca76", 1));
    }

    @Test
    void mergedEventAppliesToEveryRecordAndCompoundFieldsFlatten() {
        Map<String, Object> header = Map.of("changeType", "UPDATE", "recordIds", List.of("001A", "001B"),
                "commitTimestamp", 5L, "sequenceNumber", 2, "transactionKey", "t", "changeOrigin", "com/salesforce/api/rest/61.0;client=sluice");
        Map<String, Object> payload = new java.util.LinkedHashMap<>();
        payload.put("BillingAddress", Map.of("Street", "1 Main"));
        payload.put("Name", java.util.Collections.singletonMap("FirstName", null));
        payload.put("Industry", null);
        List<Change> changes = CdcEvents.toChanges("m", header, payload, 9);
        assertThat(changes).extracting(Change::sfid).containsExactly("001A", "001B");
        assertThat(changes.get(0).fields()).containsEntry("BillingStreet", "1 Main").containsEntry("FirstName", null)
                .containsEntry("Industry", null).hasSize(3);
        assertThat(changes.get(0).clientOrigin()).isEqualTo("sluice");
    }

    @ParameterizedTest
    @CsvSource({"GAP_UPDATE,001A,001A", "GAP_OVERFLOW,000000000000000AAA,", "GAP_CREATE,001*,"})
    void gapsBecomeResyncs(String type, String id, String expectedSfid) {
        List<Change> changes = CdcEvents.toChanges("m", Map.of("changeType", type, "recordIds", List.of(id),
                "commitTimestamp", 1L), Map.of(), 1);
        assertThat(changes.get(0).op()).isEqualTo(Change.Op.RESYNC);
        assertThat(changes.get(0).sfid()).isEqualTo(expectedSfid);
    }

    @Test
    void malformedEventsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> CdcEvents.toChanges("m", Map.of(), Map.of(), 7))
                .isInstanceOf(CdcEvents.MalformedEventException.class).hasMessageContaining("changeType").hasMessageContaining("7");
        assertThatThrownBy(() -> CdcEvents.toChanges("m", Map.of("changeType", "WHAT", "recordIds", List.of("x"),
                "commitTimestamp", 1L), Map.of(), 7)).hasMessageContaining("unknown changeType 'WHAT'");
    }
}
