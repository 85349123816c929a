package sync.mapping;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Converts values between Salesforce's JSON forms and PostgreSQL column types, both ways, as pure
 * functions. Salesforce side: text for text-like fields, JSON numbers, booleans, {@code yyyy-MM-dd}
 * dates, datetimes as {@code 2024-04-09T20:26:27.000+0000} (REST) or {@code ...Z} (CDC), times as
 * {@code HH:mm:ss.SSSZ}, multi-select picklists as {@code a;b}. PostgreSQL side: the JDBC object
 * for the column's type (see {@link #toPostgres}).
 */
public final class ValueConverter {
    private static final DateTimeFormatter SF_DATETIME_IN = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm[:ss]").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter SF_DATETIME_OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SF_TIME_OUT = DateTimeFormatter.ofPattern("HH:mm:ss.SSS'Z'");

    private ValueConverter() {
    }

    /**
     * The JDBC value for {@code value} of a Salesforce field of type {@code sfType} written into
     * a column of PostgreSQL type {@code pgType} (information_schema {@code data_type}, or
     * {@code ARRAY} for arrays). Throws {@link ConversionException} naming the problem.
     */
    public static Object toPostgres(String sfType, String pgType, Object value) {
        if (value == null) {
            return null;
        }
        String pg = pgType.toLowerCase(Locale.ROOT);
        try {
            return switch (pg) {
                case "text", "character varying", "character", "varchar", "citext", "uuid" -> text(sfType, value);
                case "numeric", "decimal" -> decimal(value);
                case "integer", "smallint" -> decimal(value).intValueExact();
                case "bigint" -> decimal(value).longValueExact();
                case "double precision", "real" -> decimal(value).doubleValue();
                case "boolean" -> bool(value);
                case "date" -> LocalDate.parse(dateText(value));
                case "timestamp with time zone" -> OffsetDateTime.ofInstant(instant(value), ZoneOffset.UTC);
                case "timestamp without time zone" -> instant(value).atOffset(ZoneOffset.UTC).toLocalDateTime();
                case "time without time zone", "time with time zone" -> time(value);
                case "array" -> value instanceof String s ? multiPicklist(s).toArray(new String[0]) : value;
                case "jsonb", "json" -> value;
                default -> throw new ConversionException("unsupported PostgreSQL column type " + pgType);
            };
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            throw new ConversionException("cannot convert " + describe(value) + " from Salesforce " + sfType
                    + " to PostgreSQL " + pgType + ": " + e.getMessage());
        }
    }

    /**
     * The Salesforce JSON value for a value read from PostgreSQL (a JDBC value, or a value
     * normalized by {@code sync.debezium.DebeziumValues}), for a field of type {@code sfType}:
     * datetime {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'} (a {@link LocalDateTime} is taken as UTC; finer
     * fractions are truncated to milliseconds, Salesforce's precision), date {@code yyyy-MM-dd},
     * time {@code HH:mm:ss.SSS'Z'}, boolean, int as a long, double/currency/percent as a
     * {@link BigDecimal} keeping the value's scale, multipicklist joined with {@code ;}, text
     * otherwise. Throws {@link ConversionException} naming the problem.
     */
    public static Object toSalesforce(String sfType, Object value) {
        if (value == null) {
            return null;
        }
        String t = sfType.toLowerCase(Locale.ROOT);
        try {
            return switch (t) {
                case "datetime" -> SF_DATETIME_OUT.format(instant(value));
                case "date" -> value instanceof java.sql.Date d ? d.toLocalDate().toString() : dateText(value);
                case "time" -> SF_TIME_OUT.format(time(value));
                case "boolean" -> bool(value);
                case "int" -> decimal(value).longValueExact();
                case "double", "currency", "percent" -> decimal(value);
                case "multipicklist" -> value instanceof String[] arr ? String.join(";", arr)
                        : value instanceof java.sql.Array a ? joinArray(a)
                        : value instanceof Collection<?> c ? joinValues(c) : value.toString();
                default -> salesforceText(sfType, value);
            };
        } catch (ArithmeticException | NumberFormatException | DateTimeException e) {
            throw new ConversionException("cannot convert " + describe(value) + " to Salesforce " + sfType
                    + ": " + e.getMessage());
        }
    }

    public static List<String> multiPicklist(String value) {
        List<String> out = new ArrayList<>();
        for (String v : value.split(";")) {
            if (!v.isBlank()) {
                out.add(v.trim());
            }
        }
        return out;
    }

    private static String text(String sfType, Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof BigDecimal b) {
            return b.toPlainString();
        }
        return value.toString();
    }

    private static String salesforceText(String sfType, Object value) {
        if (value instanceof BigDecimal b) {
            return b.toPlainString();
        }
        if (value instanceof Collection<?> || value instanceof Object[]) {
            // "[a, b]" would be stored as if it were the text
            throw new ConversionException("cannot convert the list " + describe(value) + " to Salesforce " + sfType
                    + ": only a multipicklist takes several values");
        }
        return value.toString();
    }

    private static BigDecimal decimal(Object value) {
        if (value instanceof BigDecimal b) {
            return b;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            // the shortest decimal form of the float; 1.0E10 as 10000000000, not with a negative scale
            BigDecimal b = new BigDecimal(value.toString());
            return b.scale() < 0 ? b.setScale(0) : b;
        }
        if (value instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        return new BigDecimal(value.toString().trim());
    }

    private static Boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "t", "1" -> true;
            case "false", "f", "0" -> false;
            default -> throw new ConversionException("not a boolean: " + describe(value));
        };
    }

    private static String dateText(Object value) {
        if (value instanceof LocalDate d) {
            return d.toString();
        }
        String s = value.toString();
        return s.length() > 10 && s.charAt(10) == 'T' ? s.substring(0, 10) : s;
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        if (value instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        var parsed = SF_DATETIME_IN.parseBest(value.toString().trim(), OffsetDateTime::from, LocalDateTime::from);
        return parsed instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    }

    private static LocalTime time(Object value) {
        if (value instanceof LocalTime t) {
            return t;
        }
        if (value instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        String s = value.toString().trim();
        if (s.endsWith("Z")) {
            s = s.substring(0, s.length() - 1);
        }
        return LocalTime.parse(s);
    }

    /** A NULL element of a PostgreSQL array is no picklist value: it is left out. */
    private static String joinValues(Collection<?> values) {
        List<String> parts = new ArrayList<>(values.size());
        for (Object o : values) {
            if (o != null) {
                parts.add(o.toString());
            }
        }
        return String.join(";", parts);
    }

    private static String joinArray(java.sql.Array a) {
        try {
            Object[] values = (Object[]) a.getArray();
            List<String> parts = new ArrayList<>();
            for (Object o : values) {
                parts.add(String.valueOf(o));
            }
            return String.join(";", parts);
        } catch (java.sql.SQLException e) {
            throw new ConversionException("cannot read array value: " + e.getMessage());
        }
    }

    private static String describe(Object value) {
        String s = String.valueOf(value);
        return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
    }

    /** A value that does not fit its column or field: a permanent, dead-letterable error. */
    public static final class ConversionException extends RuntimeException {
        public ConversionException(String message) {
            super(message);
        }
    }
}
