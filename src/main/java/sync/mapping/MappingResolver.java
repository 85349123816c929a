package sync.mapping;

import sync.config.PostgresDeletePolicy;
import sync.config.SyncConfig;
import sync.sql.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Checks a configured mapping against the live PostgreSQL table and the Salesforce describe and
 * resolves it into a {@link ResolvedMapping} with every type known. Every problem is collected
 * before failing, so one start reports all of them, each naming the mapping, what is wrong and
 * the fix. Also writes the {@code CREATE TABLE} for a mapping whose table is created from
 * describe.
 */
public final class MappingResolver {

    /** The Salesforce record Id field; its value is the change's key, so it never maps to a second column. */
    public static final String ID_FIELD = "Id";

    private static final Set<String> TEXTUAL = Set.of("id", "reference", "string", "textarea", "picklist", "multipicklist",
            "combobox", "email", "phone", "url", "encryptedstring", "base64", "anytype", "datacategorygroupreference");
    private static final Set<String> INTEGRAL = Set.of("int", "long");
    private static final Set<String> DECIMAL = Set.of("double", "currency", "percent");
    private static final Set<String> COMPOUND = Set.of("address", "location");
    private static final Set<String> TEXT_COLUMNS = Set.of("text", "character varying", "character", "citext");
    private static final Set<String> TEXT_ELEMENTS = Set.of("text", "varchar", "bpchar", "citext");
    private static final int SALESFORCE_ID_LENGTH = 18;

    private MappingResolver() {
    }

    /**
     * Resolves {@code mapping} against {@code describe} (field name -> field, as the object's
     * describe lists them) and the table it names.
     *
     * @throws MappingException listing every problem found
     * @throws SQLException     when the catalog cannot be read
     */
    public static ResolvedMapping resolve(String name, SyncConfig.Mapping mapping, Map<String, SalesforceField> describe,
                                          Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        Identifiers.TableName table = tableName(name, mapping.table(), problems);
        String idColumn = column(name, "id-column", mapping.idColumn(), problems);
        Map<String, SalesforceField> fields = fields(name, mapping, describe, problems);

        Map<String, Column> columns = table == null ? null : columns(c, table);
        if (table != null && columns == null) {
            problems.add(problem(name, "table " + display(table) + " does not exist",
                    "create it (MappingResolver.autoCreateDdl writes its CREATE TABLE from describe) or set auto-create for this mapping, or fix 'table'"));
        }
        List<FieldColumn> resolved = new ArrayList<>();
        if (columns != null && idColumn != null) {
            idColumn(name, table, idColumn, columns, c, problems);
        }
        Set<String> usedColumns = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : mapping.fields().entrySet()) {
            SalesforceField field = fields.get(e.getKey());
            String col = column(name, "fields." + e.getKey(), e.getValue(), problems);
            if (col == null || field == null) {
                continue;
            }
            if (field.name().equals(ID_FIELD)) {
                if (!col.equals(idColumn)) {
                    problems.add(problem(name, "field Id is mapped to column " + col + ", but the Id is kept in the id-column " + idColumn,
                            "remove 'Id: " + e.getValue() + "' from fields, or set id-column: " + col));
                }
                continue;
            }
            if (col.equals(idColumn)) {
                problems.add(problem(name, "field " + field.name() + " is mapped to the id-column " + col,
                        "map it to another column: the id-column holds the Salesforce Id"));
                continue;
            }
            if (!usedColumns.add(col)) {
                problems.add(problem(name, "column " + col + " is mapped from more than one field",
                        "map each field to its own column"));
                continue;
            }
            if (COMPOUND.contains(type(field))) {
                problems.add(problem(name, "field " + field.name() + " is a compound " + type(field) + " field",
                        "map its components instead (e.g. " + componentExample(field.name(), describe) + ")"));
                continue;
            }
            if (columns == null) {
                continue;
            }
            Column column = columns.get(col);
            if (column == null) {
                problems.add(problem(name, "table " + display(table) + " has no column " + col + " (for field " + field.name() + ")",
                        "add it (ALTER TABLE " + display(table) + " ADD COLUMN " + col + " " + ddlType(field) + ") or fix the mapping"
                                + suggestion(col, columns.keySet())));
                continue;
            }
            Optional<String> mismatch = incompatibility(field, column);
            if (mismatch.isPresent()) {
                problems.add(problem(name, "field " + field.name() + " (Salesforce " + type(field) + ") cannot be stored in column "
                        + col + " (PostgreSQL " + column.display() + "): " + mismatch.get(),
                        "change the column type (ALTER TABLE " + display(table) + " ALTER COLUMN " + col + " TYPE "
                                + ddlType(field) + ") or map the field to another column"));
                continue;
            }
            resolved.add(new FieldColumn(field.name(), type(field), col, column.pgType(), column.sqlType()));
        }
        PostgresDeletePolicy deletes = mapping.deletes().inPostgres();
        if (deletes.kind() == PostgresDeletePolicy.Kind.SOFT) {
            String flag = column(name, "deletes.in-postgres", deletes.column().orElseThrow(), problems);
            if (flag != null && columns != null) {
                Column column = columns.get(flag);
                if (column == null) {
                    problems.add(problem(name, "the soft-delete column " + flag + " does not exist in " + display(table),
                            "add it (ALTER TABLE " + display(table) + " ADD COLUMN " + flag
                                    + " boolean NOT NULL DEFAULT false) or change deletes.in-postgres"));
                } else if (!column.pgType().equals("boolean")) {
                    problems.add(problem(name, "the soft-delete column " + flag + " is " + column.display() + ", not boolean",
                            "make it boolean (ALTER TABLE " + display(table) + " ALTER COLUMN " + flag
                                    + " TYPE boolean USING " + flag + " <> 0) or name a boolean column in deletes.in-postgres"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new MappingException(problems);
        }
        return new ResolvedMapping(name, mapping.object(), table, idColumn, resolved, deletes, mapping.direction());
    }

    /**
     * The {@code CREATE TABLE} statement for a mapping whose table is created from describe:
     * the id column as {@code text PRIMARY KEY}, one column per mapped field typed from its
     * Salesforce type, and the soft-delete flag when the delete policy names one. The schema
     * must exist.
     *
     * @throws MappingException when a field is unknown or cannot be stored in a column
     */
    public static String autoCreateDdl(String name, SyncConfig.Mapping mapping, Map<String, SalesforceField> describe) {
        List<String> problems = new ArrayList<>();
        Identifiers.TableName table = tableName(name, mapping.table(), problems);
        String idColumn = column(name, "id-column", mapping.idColumn(), problems);
        Map<String, SalesforceField> fields = fields(name, mapping, describe, problems);
        Map<String, String> columns = new LinkedHashMap<>();
        boolean toSalesforce = mapping.direction() != SyncConfig.Direction.TO_POSTGRES;
        if (idColumn != null && toSalesforce) {
            // Rows created in PostgreSQL have no Salesforce Id yet: they need their own key.
            columns.put(idColumn.equals("id") ? "pg_id" : "id", "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
            columns.put(idColumn, "text UNIQUE");
        } else if (idColumn != null) {
            columns.put(idColumn, "text PRIMARY KEY");
        }
        for (Map.Entry<String, String> e : mapping.fields().entrySet()) {
            SalesforceField field = fields.get(e.getKey());
            String col = column(name, "fields." + e.getKey(), e.getValue(), problems);
            if (field == null || col == null || field.name().equals(ID_FIELD)) {
                continue;
            }
            String type = ddlType(field);
            if (type == null) {
                problems.add(problem(name, "field " + field.name() + " is a compound " + type(field) + " field",
                        "map its components instead (e.g. " + componentExample(field.name(), describe) + ")"));
            } else if (columns.putIfAbsent(col, type) != null) {
                problems.add(problem(name, "column " + col + " is mapped more than once", "map each field to its own column"));
            }
        }
        PostgresDeletePolicy deletes = mapping.deletes().inPostgres();
        if (deletes.kind() == PostgresDeletePolicy.Kind.SOFT) {
            String flag = column(name, "deletes.in-postgres", deletes.column().orElseThrow(), problems);
            if (flag != null) {
                columns.put(flag, "boolean NOT NULL DEFAULT false");
            }
        }
        if (!problems.isEmpty()) {
            throw new MappingException(problems);
        }
        StringJoiner body = new StringJoiner(",\n    ", "(\n    ", "\n)");
        columns.forEach((col, type) -> body.add(Identifiers.quote(col) + " " + type));
        String qualified = Identifiers.quote(table.schema()) + "." + Identifiers.quote(table.table());
        // Full before images let a delete name the Salesforce Id and an update send only what changed.
        return "CREATE TABLE " + qualified + " " + body
                + (toSalesforce ? ";\nALTER TABLE " + qualified + " REPLICA IDENTITY FULL" : "");
    }

    /**
     * The column type a Salesforce field gets in a created table; null for compound fields,
     * which are stored through their components.
     */
    public static String ddlType(SalesforceField field) {
        String type = type(field);
        if (INTEGRAL.contains(type)) {
            return type.equals("long") || field.precision() > 9 ? "bigint" : "integer";
        }
        if (DECIMAL.contains(type)) {
            return field.precision() > 0 ? "numeric(" + field.precision() + "," + field.scale() + ")" : "numeric";
        }
        return switch (type) {
            case "boolean" -> "boolean";
            case "date" -> "date";
            case "datetime" -> "timestamptz";
            case "time" -> "time";
            case "address", "location" -> null;
            default -> "text";
        };
    }

    /**
     * Why a field's values cannot be stored in a column, if they cannot: text columns take
     * anything (long enough); numbers need numeric or integer columns (integers only for
     * fields without decimals); booleans, dates, datetimes and times need their own types;
     * a multi-select picklist may also go to a text array.
     */
    static Optional<String> incompatibility(SalesforceField field, Column column) {
        String sf = type(field);
        String pg = column.pgType();
        if (TEXT_COLUMNS.contains(pg)) {
            int needed = TEXTUAL.contains(sf) ? field.length() : 0;
            if (column.maxLength() != null && needed > column.maxLength()) {
                return Optional.of("the field holds up to " + needed + " characters, the column " + column.maxLength());
            }
            return Optional.empty();
        }
        Boolean fits = switch (pg) {
            case "numeric", "double precision", "real" -> INTEGRAL.contains(sf) || DECIMAL.contains(sf);
            case "integer", "smallint", "bigint" -> INTEGRAL.contains(sf) || (DECIMAL.contains(sf) && field.scale() == 0);
            case "boolean" -> sf.equals("boolean");
            case "date" -> sf.equals("date");
            case "timestamp with time zone", "timestamp without time zone" -> sf.equals("datetime");
            case "time without time zone", "time with time zone" -> sf.equals("time");
            case "uuid" -> TEXTUAL.contains(sf) && !sf.equals("multipicklist");
            case "ARRAY" -> sf.equals("multipicklist") && TEXT_ELEMENTS.contains(column.sqlType().replace("[]", ""));
            default -> null;
        };
        if (fits == null) {
            return Optional.of("Sluice does not write " + column.display() + " columns");
        }
        if (fits) {
            return Optional.empty();
        }
        if (DECIMAL.contains(sf) && Set.of("integer", "smallint", "bigint").contains(pg)) {
            return Optional.of("the field has " + field.scale() + " decimal places");
        }
        if (pg.equals("ARRAY")) {
            return Optional.of("only a multi-select picklist can go to a text array");
        }
        return Optional.of("the types do not match");
    }

    /** A column as the catalog describes it. */
    record Column(String name, String pgType, String sqlType, Integer maxLength) {
        String display() {
            String base = pgType.equals("ARRAY") ? sqlType : pgType;
            return maxLength == null ? base : base + "(" + maxLength + ")";
        }
    }

    private static void idColumn(String name, Identifiers.TableName table, String idColumn, Map<String, Column> columns,
                                 Connection c, List<String> problems) throws SQLException {
        Column id = columns.get(idColumn);
        if (id == null) {
            problems.add(problem(name, "table " + display(table) + " has no id-column " + idColumn + " for the Salesforce Id",
                    "add it (ALTER TABLE " + display(table) + " ADD COLUMN " + idColumn + " text UNIQUE) or set id-column"
                            + suggestion(idColumn, columns.keySet())));
            return;
        }
        if (!TEXT_COLUMNS.contains(id.pgType()) || (id.maxLength() != null && id.maxLength() < SALESFORCE_ID_LENGTH)) {
            problems.add(problem(name, "the id-column " + idColumn + " is " + id.display()
                            + ", but Salesforce Ids are 18-character text",
                    "make it text (ALTER TABLE " + display(table) + " ALTER COLUMN " + idColumn + " TYPE text) or set id-column"));
            return;
        }
        if (!uniquelyIndexed(c, table, idColumn)) {
            problems.add(problem(name, "the id-column " + idColumn + " has no unique index, which the upsert (ON CONFLICT) needs",
                    "add one (CREATE UNIQUE INDEX ON " + display(table) + " (" + idColumn
                            + ")), not partial and not deferrable"));
        }
    }

    private static Map<String, SalesforceField> fields(String name, SyncConfig.Mapping mapping,
                                                       Map<String, SalesforceField> describe, List<String> problems) {
        Map<String, SalesforceField> byLowerName = new HashMap<>();
        describe.values().forEach(f -> byLowerName.put(f.name().toLowerCase(Locale.ROOT), f));
        Map<String, SalesforceField> out = new LinkedHashMap<>();
        for (String configured : mapping.fields().keySet()) {
            SalesforceField field = describe.get(configured);
            if (field == null) {
                field = byLowerName.get(configured.toLowerCase(Locale.ROOT));
            }
            if (field == null) {
                problems.add(problem(name, "Salesforce object " + mapping.object() + " has no field " + configured,
                        "use the field's API name (custom fields end in __c) and check that the integration user can see it"
                                + suggestion(configured, describe.keySet())));
            } else {
                out.put(configured, field);
            }
        }
        return out;
    }

    private static Identifiers.TableName tableName(String name, String table, List<String> problems) {
        try {
            return Identifiers.TableName.parse(table);
        } catch (IllegalArgumentException e) {
            problems.add(problem(name, e.getMessage(), "set 'table' to table or schema.table"));
            return null;
        }
    }

    private static String column(String name, String key, String column, List<String> problems) {
        if (!Identifiers.isValid(column)) {
            problems.add(problem(name, key + ": '" + column + "' is not a column name",
                    "use letters, digits and _, starting with a letter or _"));
            return null;
        }
        return column.toLowerCase(Locale.ROOT);
    }

    /** Column name -> column, or null when the table does not exist. */
    private static Map<String, Column> columns(Connection c, Identifiers.TableName table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, NULL), t.typname, t.typcategory, e.typname,
                       CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 END, cl.relkind
                FROM pg_catalog.pg_class cl
                JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
                LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
                LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
                WHERE n.nspname = ? AND cl.relname = ? AND cl.relkind IN ('r', 'p', 'v', 'f')
                ORDER BY a.attnum""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            Map<String, Column> out = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (out == null) {
                        out = new LinkedHashMap<>();
                    }
                    String col = rs.getString(1);
                    if (col == null) {
                        continue;
                    }
                    String formatted = rs.getString(2);
                    String udt = rs.getString(3);
                    boolean array = "A".equals(rs.getString(4));
                    int maxLength = rs.getInt(6);
                    Integer length = rs.wasNull() ? null : maxLength;
                    String pgType;
                    String sqlType;
                    if (array) {
                        pgType = "ARRAY";
                        sqlType = rs.getString(5) + "[]";
                    } else {
                        // information_schema's data_type, but the type's own name for extension types (citext)
                        pgType = builtinName(formatted, udt);
                        sqlType = udt;
                    }
                    out.put(col, new Column(col, pgType, sqlType, length));
                }
            }
            return out;
        }
    }

    private static String builtinName(String formatted, String udt) {
        return switch (formatted) {
            case "character varying", "character", "text", "numeric", "integer", "smallint", "bigint", "boolean", "date",
                 "timestamp with time zone", "timestamp without time zone", "time without time zone", "time with time zone",
                 "double precision", "real", "uuid", "jsonb", "json", "bytea" -> formatted;
            default -> udt;
        };
    }

    private static boolean uniquelyIndexed(Connection c, Identifiers.TableName table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT EXISTS (
                  SELECT 1 FROM pg_catalog.pg_index i
                  JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                  WHERE n.nspname = ? AND t.relname = ? AND a.attname = ?
                    AND i.indisunique AND i.indimmediate AND i.indnkeyatts = 1
                    AND i.indpred IS NULL AND i.indexprs IS NULL)""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String componentExample(String compound, Map<String, SalesforceField> describe) {
        String prefix = compound.endsWith("Address") ? compound.substring(0, compound.length() - "Address".length()) : compound;
        List<String> components = describe.keySet().stream()
                .filter(n -> !n.equals(compound) && n.startsWith(prefix))
                .sorted().limit(4).toList();
        return components.isEmpty() ? prefix + "Street, " + prefix + "City" : String.join(", ", components);
    }

    /** "; did you mean X or Y?" for names close to {@code wanted}; empty when none is close. */
    static String suggestion(String wanted, java.util.Collection<String> candidates) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int limit = Math.max(2, w.length() / 3);
        List<String> close = candidates.stream()
                .map(c -> Map.entry(c, distance(w, c.toLowerCase(Locale.ROOT))))
                .filter(e -> e.getValue() <= limit || e.getKey().toLowerCase(Locale.ROOT).contains(w))
                .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .limit(3).map(Map.Entry::getKey).toList();
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String type(SalesforceField field) {
        return field.type().toLowerCase(Locale.ROOT);
    }

    private static String display(Identifiers.TableName table) {
        return table.schema() + "." + table.table();
    }

    private static String problem(String mapping, String what, String fix) {
        return "mapping '" + mapping + "': " + what + " — " + fix;
    }
}
