package emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.http.ApiException;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Converts incoming JSON values to the stored form of a field's type, with Salesforce's errors,
 * and formats stored values for REST ({@code +0000} datetimes) and CDC ({@code Z} datetimes).
 * Stored forms: text as String, numbers as BigDecimal (int as Long), booleans as Boolean,
 * datetimes as Instant, dates as LocalDate, times as LocalTime.
 */
public final class Values {
    public static final DateTimeFormatter REST_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx")
            .withZone(ZoneOffset.UTC);
    public static final DateTimeFormatter CDC_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS'Z'");
    private static final DateTimeFormatter DATETIME_IN = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm[:ss]").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

    private Values() {
    }

    /** The stored value for {@code value} written to {@code field}; JSON null stays null. */
    public static Object coerce(ObjectDef object, FieldDef field, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isContainerNode()) {
            throw parseError(field, value.toString());
        }
        String text = value.asText();
        return switch (field.type()) {
            case "boolean" -> {
                if (value.isBoolean()) {
                    yield value.booleanValue();
                }
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    yield Boolean.parseBoolean(text);
                }
                throw parseError(field, text);
            }
            case "int" -> {
                BigDecimal n = number(field, value);
                try {
                    yield n.longValueExact();
                } catch (ArithmeticException e) {
                    throw parseError(field, text);
                }
            }
            case "double", "currency", "percent" -> {
                BigDecimal n = number(field, value);
                if (field.scale() >= 0 && n.scale() > field.scale()) {
                    n = n.setScale(field.scale(), RoundingMode.HALF_UP);
                }
                int integerDigits = n.precision() - n.scale();
                if (field.precision() > 0 && integerDigits > field.precision() - field.scale()) {
                    throw new ApiException(400, "NUMBER_OUTSIDE_VALID_RANGE", field.label()
                            + ": value outside of valid range on numeric field: " + text, List.of(field.name()));
                }
                yield n;
            }
            case "date" -> {
                try {
                    yield LocalDate.parse(text.length() > 10 && text.charAt(10) == 'T' ? text.substring(0, 10) : text);
                } catch (DateTimeParseException e) {
                    throw parseError(field, text);
                }
            }
            case "datetime" -> parseDateTime(field, text);
            case "time" -> {
                try {
                    String t = text.endsWith("Z") ? text.substring(0, text.length() - 1) : text;
                    yield LocalTime.parse(t);
                } catch (DateTimeParseException e) {
                    throw parseError(field, text);
                }
            }
            case "id", "reference" -> {
                String id = SalesforceIds.normalize(text);
                if (id == null) {
                    throw new ApiException(400, "MALFORMED_ID", field.label() + ": id value of incorrect type: " + text,
                            List.of(field.name()));
                }
                yield id;
            }
            case "multipicklist" -> checkLength(field, multiPicklist(field, text));
            case "picklist" -> {
                if (field.restrictedPicklist() && !field.picklistValues().contains(text)) {
                    throw new ApiException(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", field.label()
                            + ": bad value for restricted picklist field: " + text, List.of(field.name()));
                }
                yield checkLength(field, text);
            }
            case "email" -> {
                if (!text.isEmpty() && !EMAIL.matcher(text).matches()) {
                    throw new ApiException(400, "INVALID_EMAIL_ADDRESS", field.label() + ": invalid email address: " + text,
                            List.of(field.name()));
                }
                yield checkLength(field, text);
            }
            default -> checkLength(field, text);
        };
    }

    /** Parses every datetime form clients send: Z, +00:00, +0000, with or without millis. */
    public static Instant parseDateTime(FieldDef field, String text) {
        try {
            var parsed = DATETIME_IN.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
            return parsed instanceof OffsetDateTime odt ? odt.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw parseError(field, text);
        }
    }

    private static String multiPicklist(FieldDef field, String text) {
        Set<String> values = new LinkedHashSet<>();
        for (String v : text.split(";")) {
            String trimmed = v.trim();
            if (!trimmed.isEmpty()) {
                values.add(trimmed);
            }
        }
        if (field.restrictedPicklist()) {
            for (String v : values) {
                if (!field.picklistValues().contains(v)) {
                    throw new ApiException(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", field.label()
                            + ": bad value for restricted picklist field: " + v, List.of(field.name()));
                }
            }
        }
        return String.join(";", values);
    }

    private static String checkLength(FieldDef field, String text) {
        if (field.length() > 0 && text.codePointCount(0, text.length()) > field.length()) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw new ApiException(400, "STRING_TOO_LONG", field.label() + ": data value too large: " + shown
                    + " (max length=" + field.length() + ")", List.of(field.name()));
        }
        return text;
    }

    private static BigDecimal number(FieldDef field, JsonNode value) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        try {
            return new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            throw parseError(field, value.asText());
        }
    }

    private static ApiException parseError(FieldDef field, String text) {
        String type = switch (field.type()) {
            case "int" -> "int";
            case "double", "currency", "percent" -> "double";
            case "boolean" -> "boolean";
            case "date" -> "date";
            case "datetime" -> "datetime";
            case "time" -> "time";
            default -> "string";
        };
        return new ApiException(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of " + type
                + " from VALUE_STRING value " + text + " or request may be missing a required field", List.of(field.name()));
    }

    /** REST/JSON form of a stored value. */
    public static Object toRest(Object stored) {
        if (stored instanceof Instant i) {
            return REST_DATETIME.format(i);
        }
        if (stored instanceof LocalDate d) {
            return d.toString();
        }
        if (stored instanceof LocalTime t) {
            return TIME.format(t);
        }
        return stored;
    }

    /** Change-event (CometD) form of a stored value: datetimes end in Z. */
    public static Object toEvent(Object stored) {
        if (stored instanceof Instant i) {
            return CDC_DATETIME.format(i);
        }
        return toRest(stored);
    }

    /** Bulk API CSV form of a stored value (empty for null). */
    public static String toCsv(Object stored) {
        Object rest = toRest(stored);
        if (rest == null) {
            return "";
        }
        if (rest instanceof BigDecimal b) {
            return b.toPlainString();
        }
        return rest.toString();
    }

    /** Salesforce's own timestamps have millisecond precision. */
    public static Instant millis(Instant instant) {
        return Instant.ofEpochMilli(instant.toEpochMilli());
    }

    public static List<String> split(String multi) {
        List<String> out = new ArrayList<>();
        if (multi != null) {
            for (String s : multi.split(";")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
