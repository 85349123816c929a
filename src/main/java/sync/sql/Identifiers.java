package sync.sql;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place where identifiers from configuration become SQL: validated against a strict
 * pattern, then double-quoted. Anything else is refused with a message naming the value.
 */
public final class Identifiers {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private Identifiers() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code name} -> {@code "name"}; lower-cased, as unquoted PostgreSQL identifiers are. */
    public static String quote(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("Not a valid SQL identifier: '" + name
                    + "' (letters, digits and _, starting with a letter or _, at most 63 characters)");
        }
        return '"' + name.toLowerCase(Locale.ROOT) + '"';
    }

    /** {@code schema.table} or {@code table} (schema public) -> {@code "schema"."table"}. */
    public static String qualified(String table) {
        TableName t = TableName.parse(table);
        return quote(t.schema()) + "." + quote(t.table());
    }

    /** A table name split into schema and table, validated. */
    public record TableName(String schema, String table) {
        public static TableName parse(String text) {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("Table name is empty");
            }
            String[] parts = text.split("\\.", -1);
            if (parts.length > 2) {
                throw new IllegalArgumentException("Not a valid table name: '" + text + "' (use table or schema.table)");
            }
            String schema = parts.length == 2 ? parts[0] : "public";
            String table = parts[parts.length - 1];
            quote(schema);
            quote(table);
            return new TableName(schema.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT));
        }
    }
}
