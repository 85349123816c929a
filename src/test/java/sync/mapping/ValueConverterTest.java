package sync.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueConverterTest {
    @ParameterizedTest
    @CsvSource({
            "2024-04-09T20:26:27.000+0000", "2024-04-09T20:26:27.000Z", "2024-04-09T20:26:27Z",
            "2024-04-09T22:26:27.000+02:00", "2024-04-09T20:26:27"})
    void everySalesforceDatetimeFormBecomesTheSameTimestamptz(String text) {
        assertThat(ValueConverter.toPostgres("datetime", "timestamp with time zone", text))
                .isEqualTo(OffsetDateTime.of(2024, 4, 9, 20, 26, 27, 0, ZoneOffset.UTC));
    }

    @Test
    void typesConvertExactly() {
        assertThat(ValueConverter.toPostgres("currency", "numeric", new BigDecimal("12345.67"))).isEqualTo(new BigDecimal("12345.67"));
        assertThat(ValueConverter.toPostgres("double", "numeric", 1.5)).isEqualTo(new BigDecimal("1.5"));
        assertThat(ValueConverter.toPostgres("int", "integer", 42)).isEqualTo(42);
        assertThat(ValueConverter.toPostgres("int", "bigint", "9000000000")).isEqualTo(9_000_000_000L);
        assertThat(ValueConverter.toPostgres("boolean", "boolean", true)).isEqualTo(true);
        assertThat(ValueConverter.toPostgres("date", "date", "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(ValueConverter.toPostgres("time", "time without time zone", "08:30:00.000Z")).isEqualTo(LocalTime.of(8, 30));
        assertThat((String[]) ValueConverter.toPostgres("multipicklist", "ARRAY", "Urgent;Export"))
                .containsExactly("Urgent", "Export");
        assertThat(ValueConverter.toPostgres("multipicklist", "text", "Urgent;Export")).isEqualTo("Urgent;Export");
        assertThat(ValueConverter.toPostgres("textarea", "text", "héllo 🌍 ".repeat(5000))).isEqualTo("héllo 🌍 ".repeat(5000));
        assertThat(ValueConverter.toPostgres("string", "text", null)).isNull();
    }

    @Test
    void backToSalesforce() {
        assertThat(ValueConverter.toSalesforce("datetime", OffsetDateTime.of(2024, 4, 9, 20, 26, 27, 5_000_000, ZoneOffset.UTC)))
                .isEqualTo("2024-04-09T20:26:27.005Z");
        assertThat(ValueConverter.toSalesforce("currency", new BigDecimal("1.10"))).isEqualTo(new BigDecimal("1.10"));
        assertThat(ValueConverter.toSalesforce("multipicklist", new String[]{"a", "b"})).isEqualTo("a;b");
        assertThat(ValueConverter.toSalesforce("date", LocalDate.of(2020, 1, 2))).isEqualTo("2020-01-02");
        assertThat(ValueConverter.toSalesforce("time", LocalTime.of(8, 30))).isEqualTo("08:30:00.000Z");
    }

    @Test
    void mismatchesNameTheValueAndTypes() {
        assertThatThrownBy(() -> ValueConverter.toPostgres("int", "integer", "12.5"))
                .isInstanceOf(ValueConverter.ConversionException.class)
                .hasMessageContaining("'12.5'").hasMessageContaining("int").hasMessageContaining("integer");
        assertThatThrownBy(() -> ValueConverter.toPostgres("date", "date", "yesterday"))
                .hasMessageContaining("'yesterday'");
        assertThatThrownBy(() -> ValueConverter.toPostgres("string", "point", "x"))
                .hasMessageContaining("unsupported PostgreSQL column type point");
    }
}
