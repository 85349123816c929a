package sync.outbound;

import sync.mapping.FieldColumn;
import sync.mapping.ValueConverter;
import sync.sql.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Rows of a mapped table as they are now, read by key, and their values as Salesforce fields. */
final class CurrentRows {
    private CurrentRows() {
    }

    /** A row: its Salesforce Id, every mapped column (JDBC values) and its external Id. */
    record Row(String sfid, Map<String, Object> columns, String externalId) {

        /**
         * The row's values as Salesforce fields: only {@code only} (all mapped fields when null),
         * NULLs left out unless {@code nulls}; plus the external Id field when configured.
         *
         * @throws ValueConverter.ConversionException naming the column and field that cannot be converted
         */
        Map<String, Object> values(OutboundMapping m, Set<String> only, boolean nulls) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (FieldColumn f : m.mapping().fields()) {
                if (only != null && !only.contains(f.field())) {
                    continue;
                }
                Object value;
                try {
                    value = ValueConverter.toSalesforce(f.sfType(), columns.get(f.column()));
                } catch (ValueConverter.ConversionException e) {
                    throw new ValueConverter.ConversionException("column " + f.column() + " -> field " + f.field() + ": "
                            + e.getMessage());
                }
                if (value != null || nulls) {
                    out.put(f.field(), value);
                }
            }
            if (externalId != null) {
                out.put(m.externalIdField().orElseThrow(), externalId);
            }
            return out;
        }
    }

    static Optional<Row> read(Connection c, OutboundMapping m, String key) throws SQLException {
        return Optional.ofNullable(read(c, m, List.of(key)).get(key));
    }

    /** The rows of {@code keys} that exist, by key (as text). */
    static Map<String, Row> read(Connection c, OutboundMapping m, Collection<String> keys) throws SQLException {
        Map<String, Row> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        List<FieldColumn> fields = m.mapping().fields();
        StringBuilder sql = new StringBuilder("SELECT ").append(Identifiers.quote(m.keyColumn())).append("::text, ")
                .append(Identifiers.quote(m.mapping().idColumn()));
        sql.append(", ").append(m.externalIdColumn().map(col -> Identifiers.quote(col) + "::text").orElse("NULL"));
        for (FieldColumn f : fields) {
            sql.append(", ").append(Identifiers.quote(f.column()));
        }
        sql.append(" FROM ").append(m.mapping().qualifiedTable()).append(" WHERE ").append(Identifiers.quote(m.keyColumn()))
                .append(" = ANY(?::").append(m.keyType()).append("[])");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> columns = new LinkedHashMap<>();
                    for (int i = 0; i < fields.size(); i++) {
                        columns.put(fields.get(i).column(), jdbcValue(rs, i + 4, fields.get(i)));
                    }
                    out.put(rs.getString(1), new Row(rs.getString(2), columns, rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** The column's value as the converter reads it: date and time types without the JVM's time zone. */
    private static Object jdbcValue(ResultSet rs, int i, FieldColumn f) throws SQLException {
        Object value = switch (f.pgType().toLowerCase(Locale.ROOT)) {
            case "timestamp without time zone" -> rs.getObject(i, LocalDateTime.class);
            case "timestamp with time zone" -> rs.getObject(i, OffsetDateTime.class);
            case "date" -> rs.getObject(i, LocalDate.class);
            case "time without time zone" -> rs.getObject(i, LocalTime.class);
            default -> rs.getObject(i);
        };
        if (value instanceof java.sql.Array a) {
            return Arrays.asList((Object[]) a.getArray());
        }
        return value;
    }
}
