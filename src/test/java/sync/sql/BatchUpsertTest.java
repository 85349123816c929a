package sync.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchUpsertTest {
    @Test
    void upsertTouchesOnlyTheGivenColumns() {
        Map<String, String> cols = new LinkedHashMap<>();
        cols.put("sfid", "text");
        cols.put("name", "text");
        cols.put("annual_revenue", "numeric");
        assertThat(BatchUpsert.upsert("public.account", "sfid", cols)).isEqualTo(
                "INSERT INTO \"public\".\"account\" (\"sfid\",\"name\",\"annual_revenue\") SELECT * FROM unnest(?::text[], ?::text[], ?::numeric[])"
                        + " ON CONFLICT (\"sfid\") DO UPDATE SET \"name\" = EXCLUDED.\"name\", \"annual_revenue\" = EXCLUDED.\"annual_revenue\"");
        assertThat(BatchUpsert.upsert("account", "sfid", Map.of("sfid", "text"))).endsWith("DO NOTHING")
                .contains("\"public\".\"account\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"account; drop table x", "a.b.c", "\"quoted\"", "", "1abc", "tab le"})
    void badTableNamesAreRefusedWithTheName(String table) {
        assertThatThrownBy(() -> BatchUpsert.deleteByKeys(table, "sfid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(table.isEmpty() ? "empty" : "'");
    }

    @Test
    void badTypesAndColumnsAreRefused() {
        assertThatThrownBy(() -> BatchUpsert.upsert("t", "sfid", Map.of("sfid", "text); drop table t; --")))
                .hasMessageContaining("Not a valid column type");
        assertThatThrownBy(() -> BatchUpsert.upsert("t", "sfid", Map.of("x-y", "text"))).hasMessageContaining("'x-y'");
    }
}
