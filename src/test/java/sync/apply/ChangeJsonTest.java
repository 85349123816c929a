package sync.apply;

import org.junit.jupiter.api.Test;
import sync.change.Change;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeJsonTest {

    @Test
    void aChangeSurvivesTheRoundTripExactly() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Name", "Grüße 🌍 \"x\"");
        fields.put("AnnualRevenue", new BigDecimal("12345678901234567.89"));
        fields.put("NumberOfEmployees", 12);
        fields.put("Active__c", true);
        fields.put("Industry", null);
        Change change = new Change("account", Change.Origin.SALESFORCE, Change.Op.UNDELETE, "001RM000004UF9sYAG", null, fields,
                Instant.parse("2024-04-09T20:26:27.123Z"), "37904280", new Change.Transaction("0001ae4b", 3), "sluice");

        Change back = ChangeJson.fromJson(ChangeJson.toJson(change));

        assertThat(back).isEqualTo(change);
        assertThat(back.fields()).containsKey("Industry");
        assertThat(back.fields().get("AnnualRevenue")).isEqualTo(new BigDecimal("12345678901234567.89"));
    }

    @Test
    void nulCharactersAreSpelledOutForJsonb() {
        Change change = new Change(null, Change.Origin.SALESFORCE, Change.Op.UPSERT, "001RM000004UF9sYAG", null,
                Map.of("Name", "a\0b", "Tags", List.of("x")), null, null, null, null);

        assertThat(ChangeJson.toJson(change)).contains("a\\\\u0000b").doesNotContain("a\\u0000b");
        assertThat(ChangeJson.fromJson(ChangeJson.toJson(change)).fields()).containsEntry("Tags", List.of("x"));
    }
}
