package sync.debezium;

import io.debezium.data.Json;
import io.debezium.data.Uuid;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.time.Date;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.NanoTime;
import io.debezium.time.NanoTimestamp;
import io.debezium.time.Time;
import io.debezium.time.Timestamp;
import io.debezium.time.ZonedTimestamp;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sync.mapping.ValueConverter;
import sync.mapping.ValueConverter.ConversionException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Debezium column values (as the PostgreSQL connector emits them with Sluice's settings, see
 * {@link DebeziumValuesIntegrationTest} for the real engine) to plain Java values, and those to
 * Salesforce's JSON forms. No database.
 */
class DebeziumValuesTest {

    /** A string-mode numeric as the connector describes it with datatype.propagate.source.type. */
    private static Schema numeric(Integer precision, Integer scale) {
        SchemaBuilder b = SchemaBuilder.string().optional().parameter(DebeziumValues.SOURCE_TYPE_PARAMETER, "NUMERIC");
        if (precision != null) {
            b.parameter("__debezium.source.column.length", precision.toString());
        }
        if (scale != null) {
            b.parameter("__debezium.source.column.scale", scale.toString());
        }
        return b.build();
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> columns() {
        Schema textArray = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build();
        return Stream.of(
                // PostgreSQL type, Debezium schema, Debezium value, normalized, Salesforce type, Salesforce value
                arguments("numeric(16,2)", numeric(16, 2), "12345.60", new BigDecimal("12345.60"), "currency", new BigDecimal("12345.60")),
                arguments("numeric", numeric(null, null), "3.14159265358979323846", new BigDecimal("3.14159265358979323846"),
                        "double", new BigDecimal("3.14159265358979323846")),
                arguments("numeric (precise)", Decimal.builder(2).optional().build(), new BigDecimal("7.50"), new BigDecimal("7.50"),
                        "percent", new BigDecimal("7.50")),
                arguments("numeric (precise, no scale)", VariableScaleDecimal.builder().optional().build(),
                        VariableScaleDecimal.fromLogical(VariableScaleDecimal.builder().optional().build(), new BigDecimal("-0.0012")),
                        new BigDecimal("-0.0012"), "double", new BigDecimal("-0.0012")),
                arguments("smallint", Schema.OPTIONAL_INT16_SCHEMA, (short) -7, -7L, "int", -7L),
                arguments("integer", Schema.OPTIONAL_INT32_SCHEMA, 42, 42L, "int", 42L),
                arguments("bigint", Schema.OPTIONAL_INT64_SCHEMA, 9_000_000_000L, 9_000_000_000L, "int", 9_000_000_000L),
                arguments("real", Schema.OPTIONAL_FLOAT32_SCHEMA, 1.1f, 1.1d, "double", new BigDecimal("1.1")),
                arguments("double precision", Schema.OPTIONAL_FLOAT64_SCHEMA, 2.5e-3, 2.5e-3, "double", new BigDecimal("0.0025")),
                arguments("double precision, large", Schema.OPTIONAL_FLOAT64_SCHEMA, 1.0e10, 1.0e10, "double", new BigDecimal("10000000000")),
                arguments("boolean", Schema.OPTIONAL_BOOLEAN_SCHEMA, true, true, "boolean", true),
                arguments("date", Date.builder().optional().build(), 19_822, LocalDate.of(2024, 4, 9), "date", "2024-04-09"),
                arguments("date before 1970", Date.builder().optional().build(), -1, LocalDate.of(1969, 12, 31), "date", "1969-12-31"),
                arguments("timestamp(3)", Timestamp.builder().optional().build(), 1_712_694_387_123L,
                        LocalDateTime.of(2024, 4, 9, 20, 26, 27, 123_000_000), "datetime", "2024-04-09T20:26:27.123Z"),
                arguments("timestamp", MicroTimestamp.builder().optional().build(), 1_712_694_387_123_456L,
                        LocalDateTime.of(2024, 4, 9, 20, 26, 27, 123_456_000), "datetime", "2024-04-09T20:26:27.123Z"),
                arguments("timestamp before 1970", MicroTimestamp.builder().optional().build(), -1L,
                        LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000), "datetime", "1969-12-31T23:59:59.999Z"),
                arguments("timestamp (nanos)", NanoTimestamp.builder().optional().build(), 1_712_694_387_123_456_789L,
                        LocalDateTime.of(2024, 4, 9, 20, 26, 27, 123_456_789), "datetime", "2024-04-09T20:26:27.123Z"),
                arguments("timestamptz", ZonedTimestamp.builder().optional().build(), "2024-04-09T20:26:27.123456Z",
                        Instant.parse("2024-04-09T20:26:27.123456Z"), "datetime", "2024-04-09T20:26:27.123Z"),
                arguments("timestamptz with offset", ZonedTimestamp.builder().optional().build(), "2024-04-09T22:26:27+02:00",
                        Instant.parse("2024-04-09T20:26:27Z"), "datetime", "2024-04-09T20:26:27.000Z"),
                arguments("time(3)", Time.builder().optional().build(), 30_600_250, LocalTime.of(8, 30, 0, 250_000_000), "time", "08:30:00.250Z"),
                arguments("time", MicroTime.builder().optional().build(), 30_600_123_456L, LocalTime.of(8, 30, 0, 123_456_000), "time", "08:30:00.123Z"),
                arguments("time (nanos)", NanoTime.builder().optional().build(), 30_600_000_000_001L, LocalTime.of(8, 30, 0, 1), "time", "08:30:00.000Z"),
                arguments("text", Schema.OPTIONAL_STRING_SCHEMA, "héllo 🌍", "héllo 🌍", "textarea", "héllo 🌍"),
                arguments("varchar(10)", Schema.OPTIONAL_STRING_SCHEMA, "0012", "0012", "string", "0012"),
                arguments("uuid", Uuid.builder().optional().build(), "8f0e4c1a-9a59-4d35-9e47-0d3c1c1b7a10",
                        "8f0e4c1a-9a59-4d35-9e47-0d3c1c1b7a10", "string", "8f0e4c1a-9a59-4d35-9e47-0d3c1c1b7a10"),
                arguments("text[]", textArray, List.of("Urgent", "Export"), List.of("Urgent", "Export"), "multipicklist", "Urgent;Export"),
                arguments("jsonb", Json.builder().optional().build(), "{\"a\": [1, 2]}", "{\"a\": [1, 2]}", "textarea", "{\"a\": [1, 2]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("columns")
    void convertsExactly(String pgType, Schema schema, Object debezium, Object normalized, String sfType, Object salesforce) {
        Object value = DebeziumValues.normalize(schema, debezium);
        assertThat(value).isEqualTo(normalized)
                .isInstanceOf(normalized instanceof List<?> ? List.class : normalized.getClass());
        if (normalized instanceof BigDecimal b) {
            assertThat(((BigDecimal) value).scale()).isEqualTo(b.scale());
        }
        Object sf = ValueConverter.toSalesforce(sfType, value);
        assertThat(sf).isEqualTo(salesforce).hasSameClassAs(salesforce);
        if (salesforce instanceof BigDecimal b) {
            assertThat(((BigDecimal) sf).scale()).isEqualTo(b.scale());
        }
    }

    @Test
    void nullStaysNull() {
        assertThat(DebeziumValues.normalize(MicroTimestamp.builder().optional().build(), null)).isNull();
        assertThat(ValueConverter.toSalesforce("datetime", null)).isNull();
    }

    @Test
    void arrayElementsAreNormalizedAndNullsKept() {
        Schema dates = SchemaBuilder.array(Date.builder().optional().build()).optional().build();
        assertThat(DebeziumValues.normalize(dates, Arrays.asList(0, null)))
                .isEqualTo(Arrays.asList(LocalDate.of(1970, 1, 1), null));
        Schema texts = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build();
        assertThat(DebeziumValues.normalize(texts, List.of())).isEqualTo(List.of());
    }

    @Test
    void theUnavailablePlaceholderIsRecognisedInEveryForm() {
        assertThat(DebeziumValues.isUnavailable("__debezium_unavailable_value")).isTrue();
        assertThat(DebeziumValues.isUnavailable(List.of("__debezium_unavailable_value"))).isTrue();
        assertThat(DebeziumValues.isUnavailable("__debezium_unavailable_value".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(DebeziumValues.isUnavailable(ByteBuffer.wrap("__debezium_unavailable_value".getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(DebeziumValues.isUnavailable("?", "?")).isTrue();

        assertThat(DebeziumValues.isUnavailable(null)).isFalse();
        assertThat(DebeziumValues.isUnavailable("")).isFalse();
        assertThat(DebeziumValues.isUnavailable(List.of("__debezium_unavailable_value", "x"))).isFalse();
        assertThat(DebeziumValues.isUnavailable(42)).isFalse();
    }

    @Test
    void thePlaceholderNeverPassesForData() {
        assertThatThrownBy(() -> DebeziumValues.normalize(Schema.OPTIONAL_STRING_SCHEMA, "__debezium_unavailable_value"))
                .isInstanceOf(ConversionException.class).hasMessageContaining("TOAST");
    }

    @Test
    void columnsAreReadInOrderWithoutUnavailableOnesAndWithoutDefaults() {
        Schema row = SchemaBuilder.struct().optional()
                .field("id", Schema.INT32_SCHEMA)
                .field("amount", numeric(16, 2))
                // Debezium puts a column's DEFAULT into its schema; an explicit NULL must stay null
                .field("qty", SchemaBuilder.int32().optional().defaultValue(7).build())
                .field("notes", Schema.OPTIONAL_STRING_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
                .field("updated", MicroTimestamp.builder().optional().build())
                .build();
        Struct after = new Struct(row)
                .put("id", 1)
                .put("amount", "5.00")
                .put("qty", null)
                .put("notes", "__debezium_unavailable_value")
                .put("tags", List.of("__debezium_unavailable_value"))
                .put("updated", 0L);

        Map<String, Object> columns = DebeziumValues.columns(after);

        assertThat(columns.keySet()).containsExactly("id", "amount", "qty", "updated");
        assertThat(columns)
                .containsEntry("id", 1L)
                .containsEntry("amount", new BigDecimal("5.00"))
                .containsEntry("qty", null)
                .containsEntry("updated", LocalDateTime.of(1970, 1, 1, 0, 0));
    }

    @Test
    void unsupportedTypesAndValuesNameTheSchema() {
        assertThatThrownBy(() -> DebeziumValues.normalize(Schema.OPTIONAL_BYTES_SCHEMA, new byte[]{1}))
                .isInstanceOf(ConversionException.class).hasMessageContaining("BYTES");
        Schema interval = SchemaBuilder.float64().name("io.debezium.time.MicroDuration").optional().build();
        assertThatThrownBy(() -> DebeziumValues.normalize(interval, 1.0))
                .isInstanceOf(ConversionException.class).hasMessageContaining("io.debezium.time.MicroDuration");
        assertThatThrownBy(() -> DebeziumValues.normalize(numeric(null, null), "NaN"))
                .isInstanceOf(ConversionException.class).hasMessageContaining("'NaN'").hasMessageContaining("NUMERIC");
        assertThatThrownBy(() -> DebeziumValues.normalize(MicroTime.builder().optional().build(), 86_400_000_000L))
                .isInstanceOf(ConversionException.class).hasMessageContaining("io.debezium.time.MicroTime");
        assertThatThrownBy(() -> DebeziumValues.normalize(ZonedTimestamp.builder().optional().build(), "infinity"))
                .isInstanceOf(ConversionException.class).hasMessageContaining("io.debezium.time.ZonedTimestamp");
    }

    @Test
    void nullArrayElementsAreNoPicklistValues() {
        assertThat(ValueConverter.toSalesforce("multipicklist", Arrays.asList("a", null, "b"))).isEqualTo("a;b");
        assertThat(ValueConverter.toSalesforce("multipicklist", List.of())).isEqualTo("");
    }

    @Test
    void salesforceMismatchesAreConversionErrors() {
        assertThatThrownBy(() -> ValueConverter.toSalesforce("int", new BigDecimal("12.5")))
                .isInstanceOf(ConversionException.class).hasMessageContaining("'12.5'").hasMessageContaining("int");
        assertThatThrownBy(() -> ValueConverter.toSalesforce("double", Double.NaN))
                .isInstanceOf(ConversionException.class).hasMessageContaining("'NaN'");
        assertThatThrownBy(() -> ValueConverter.toSalesforce("datetime", LocalDate.of(2024, 1, 2)))
                .isInstanceOf(ConversionException.class).hasMessageContaining("datetime");
        assertThatThrownBy(() -> ValueConverter.toSalesforce("string", List.of("a", "b")))
                .isInstanceOf(ConversionException.class).hasMessageContaining("multipicklist");
    }
}
