package sync.debezium;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import sync.mapping.ValueConverter.ConversionException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the column values of a Debezium PostgreSQL change event (Kafka Connect values with their
 * field schemas) into plain Java values that {@link sync.mapping.ValueConverter#toSalesforce}
 * converts: {@link BigDecimal} for numeric, {@link Long} for integers, {@link Double} for floats,
 * {@link Boolean}, {@link LocalDate}, {@link LocalDateTime} for timestamp, {@link Instant} for
 * timestamptz, {@link LocalTime}, {@link String} for text-like types and JSON, {@link List} for
 * arrays. Pure functions.
 *
 * <p>They expect the connector settings Sluice uses: {@code decimal.handling.mode=string} with
 * {@code datatype.propagate.source.type} = {@link #PROPAGATE_SOURCE_TYPES} (a string-mode numeric
 * is a plain string schema; only the propagated source type tells it from text),
 * {@code time.precision.mode=adaptive} (the default), {@code include.unknown.datatypes=false}.
 * The {@code precise} decimal mode's logical types are understood too. Types the connector emits
 * as unnamed strings (inet, macaddr, ...) cannot be told from text and pass as strings.
 */
public final class DebeziumValues {

    /** Debezium's default {@code unavailable.value.placeholder}: an unchanged TOASTed value. */
    public static final String UNAVAILABLE = "__debezium_unavailable_value";

    /**
     * The value for the connector's {@code datatype.propagate.source.type}: Debezium matches
     * each regular expression, case-insensitively, against {@code <table id>.<type name>}.
     */
    public static final String PROPAGATE_SOURCE_TYPES = ".+\\.numeric";

    /** Schema parameter holding the propagated source type name. */
    static final String SOURCE_TYPE_PARAMETER = "__debezium.source.column.type";

    private DebeziumValues() {
    }

    /**
     * The plain Java value of {@code value} described by {@code fieldSchema}; null stays null.
     *
     * @throws ConversionException for a type Sluice does not sync (bytea, interval, geometry,
     *                             timetz, ...), a value that does not fit its Java type (numeric
     *                             NaN, time 24:00) or the unavailable-value placeholder
     */
    public static Object normalize(Schema fieldSchema, Object value) {
        if (value == null) {
            return null;
        }
        if (isUnavailable(value)) {
            // Never let the placeholder pass for data: callers leave such columns out.
            throw new ConversionException("the unchanged TOASTed value of a " + describe(fieldSchema)
                    + " column is not in the change event");
        }
        try {
            return fieldSchema.name() != null ? logical(fieldSchema, value) : primitive(fieldSchema, value);
        } catch (ClassCastException | ArithmeticException | NumberFormatException | DateTimeException e) {
            throw new ConversionException("cannot read " + describe(value) + " of Debezium schema "
                    + describe(fieldSchema) + ": " + e.getMessage());
        }
    }

    /** Whether {@code value} is Debezium's default placeholder for an unchanged TOASTed value. */
    public static boolean isUnavailable(Object value) {
        return isUnavailable(value, UNAVAILABLE);
    }

    /**
     * Whether {@code value} is the placeholder {@code placeholder} (the connector's
     * {@code unavailable.value.placeholder}): as text, as bytes for binary columns, or as the
     * single element of an array.
     */
    public static boolean isUnavailable(Object value, String placeholder) {
        if (value instanceof String s) {
            return s.equals(placeholder);
        }
        byte[] bytes = placeholder.getBytes(StandardCharsets.UTF_8);
        if (value instanceof byte[] b) {
            return Arrays.equals(b, bytes);
        }
        if (value instanceof ByteBuffer b) {
            return b.remaining() == bytes.length && b.duplicate().equals(ByteBuffer.wrap(bytes));
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 && list.get(0) != null && isUnavailable(list.get(0), placeholder);
        }
        return false;
    }

    /**
     * The normalized values of a row image (the event's "after" or "before" Struct), column name
     * to value in column order, leaving out the columns whose value is unavailable (unchanged
     * TOAST); a null column is present with a null value.
     */
    public static Map<String, Object> columns(Struct row) {
        Objects.requireNonNull(row, "row");
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field field : row.schema().fields()) {
            // getWithoutDefault: Struct.get would turn a NULL into the column's DEFAULT.
            Object value = row.getWithoutDefault(field.name());
            if (value != null && isUnavailable(value)) {
                continue;
            }
            out.put(field.name(), normalize(field.schema(), value));
        }
        return out;
    }

    /** The value of a Debezium or Kafka Connect logical type (a named schema). */
    private static Object logical(Schema schema, Object value) {
        return switch (schema.name()) {
            case "io.debezium.time.Date" -> LocalDate.ofEpochDay(((Number) value).longValue());
            case "io.debezium.time.Timestamp" -> fromEpoch(((Number) value).longValue(), 1_000L);
            case "io.debezium.time.MicroTimestamp" -> fromEpoch(((Number) value).longValue(), 1_000_000L);
            case "io.debezium.time.NanoTimestamp" -> fromEpoch(((Number) value).longValue(), 1_000_000_000L);
            case "io.debezium.time.ZonedTimestamp" -> OffsetDateTime.parse((String) value).toInstant();
            case "io.debezium.time.Time" -> LocalTime.ofNanoOfDay(Math.multiplyExact(((Number) value).longValue(), 1_000_000L));
            case "io.debezium.time.MicroTime" -> LocalTime.ofNanoOfDay(Math.multiplyExact(((Number) value).longValue(), 1_000L));
            case "io.debezium.time.NanoTime" -> LocalTime.ofNanoOfDay(((Number) value).longValue());
            case "io.debezium.data.Json", "io.debezium.data.Uuid", "io.debezium.data.Enum" -> (String) value;
            case "org.apache.kafka.connect.data.Decimal" -> (BigDecimal) value;
            case "io.debezium.data.VariableScaleDecimal" -> variableScaleDecimal((Struct) value);
            default -> throw unsupported(schema);
        };
    }

    private static Object primitive(Schema schema, Object value) {
        return switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> ((Number) value).longValue();
            // Float.toString is the shortest decimal that reads back as the float: 1.1f -> 1.1, not 1.100000023841858
            case FLOAT32 -> Double.valueOf(Float.toString((Float) value));
            case FLOAT64 -> (Double) value;
            case BOOLEAN -> (Boolean) value;
            // PostgreSQL's text form keeps the scale ("5.00" for numeric(16,2)); NaN and infinities do not fit
            case STRING -> isNumeric(schema) ? new BigDecimal((String) value) : (String) value;
            case ARRAY -> array(schema, (List<?>) value);
            default -> throw unsupported(schema);
        };
    }

    private static boolean isNumeric(Schema schema) {
        Map<String, String> parameters = schema.parameters();
        String type = parameters == null ? null : parameters.get(SOURCE_TYPE_PARAMETER);
        return "numeric".equalsIgnoreCase(type);
    }

    private static List<Object> array(Schema schema, List<?> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object element : values) {
            out.add(normalize(schema.valueSchema(), element));
        }
        return Collections.unmodifiableList(out);
    }

    private static BigDecimal variableScaleDecimal(Struct value) {
        return new BigDecimal(new BigInteger(value.getBytes("value")), value.getInt32("scale"));
    }

    private static LocalDateTime fromEpoch(long amount, long perSecond) {
        long seconds = Math.floorDiv(amount, perSecond);
        long fraction = Math.floorMod(amount, perSecond);
        return LocalDateTime.ofEpochSecond(seconds, (int) (fraction * (1_000_000_000L / perSecond)), ZoneOffset.UTC);
    }

    private static ConversionException unsupported(Schema schema) {
        return new ConversionException("unsupported Debezium column schema " + describe(schema)
                + ": Sluice does not sync this PostgreSQL type to Salesforce");
    }

    private static String describe(Schema schema) {
        StringBuilder s = new StringBuilder();
        if (schema.name() != null) {
            s.append(schema.name()).append(' ');
        }
        s.append(schema.type().getName().toUpperCase(Locale.ROOT));
        if (schema.parameters() != null && schema.parameters().containsKey(SOURCE_TYPE_PARAMETER)) {
            s.append(" (").append(schema.parameters().get(SOURCE_TYPE_PARAMETER)).append(')');
        }
        return s.toString();
    }

    private static String describe(Object value) {
        String s = value instanceof byte[] b ? b.length + " bytes" : String.valueOf(value);
        return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
    }
}
