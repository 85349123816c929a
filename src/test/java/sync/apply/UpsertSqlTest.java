package sync.apply;

import org.junit.jupiter.api.Test;
import sync.sql.BatchUpsert;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQL the applier sends: the reporting upsert, array literals and parameter text. */
class UpsertSqlTest {

    @Test
    void theUpsertCastsArrayColumnsRowByRowAndReportsInsertedKeys() {
        Map<String, String> cols = new LinkedHashMap<>();
        cols.put("sfid", "text");
        cols.put("amount", "numeric");
        cols.put("tags", "text[]");

        assertThat(BatchUpsert.upsertReturningInserted("crm.account", "sfid", cols)).isEqualTo(
                "INSERT INTO \"crm\".\"account\" (\"sfid\",\"amount\",\"tags\") SELECT u.c1, u.c2, u.c3::text[]"
                        + " FROM unnest(?::text[], ?::numeric[], ?::text[]) AS u(c1, c2, c3)"
                        + " ON CONFLICT (\"sfid\") DO UPDATE SET \"amount\" = EXCLUDED.\"amount\", \"tags\" = EXCLUDED.\"tags\""
                        + " RETURNING \"sfid\", (xmax = 0)");
        assertThat(BatchUpsert.upsertReturningInserted("account", "sfid", Map.of("sfid", "text")))
                .contains("ON CONFLICT (\"sfid\") DO NOTHING RETURNING");
        assertThatThrownBy(() -> BatchUpsert.upsertReturningInserted("account", "sfid", Map.of("sfid", "text[]; drop")))
                .hasMessageContaining("Not a valid column type");
    }

    @Test
    void arrayLiteralsQuoteEveryElement() {
        assertThat(BatchUpsert.arrayLiteral(new Object[]{"a, b", "say \"hi\"", "back\\slash", "{x}", null, "NULL"}))
                .isEqualTo("{\"a, b\",\"say \\\"hi\\\"\",\"back\\\\slash\",\"{x}\",NULL,\"NULL\"}");
        assertThat(BatchUpsert.arrayLiteral(new Object[0])).isEqualTo("{}");
    }

    @Test
    void parameterTextIsWhatPostgresParses() {
        assertThat(PostgresApplier.sqlText(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(PostgresApplier.sqlText(new String[]{"a", "b"})).isEqualTo("{\"a\",\"b\"}");
        assertThat(PostgresApplier.sqlText(List.of("x"))).isEqualTo("{\"x\"}");
        assertThat(PostgresApplier.sqlText(null)).isNull();
        assertThatThrownBy(() -> PostgresApplier.sqlText("a\0b")).hasMessageContaining("NUL character");
    }
}
