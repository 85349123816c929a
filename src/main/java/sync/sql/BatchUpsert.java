package sync.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds one statement that upserts many rows in one round trip: the rows travel as one typed
 * array per column and are expanded with {@code unnest}, so the statement text depends only on
 * the column set, never on the data. Only the given columns are touched on conflict, so a
 * partial update leaves every other column as it is.
 *
 * <pre>
 * INSERT INTO "public"."account" ("sfid","name") SELECT * FROM unnest(?::text[], ?::text[])
 * ON CONFLICT ("sfid") DO UPDATE SET "name" = EXCLUDED."name"
 * </pre>
 */
public final class BatchUpsert {
    private BatchUpsert() {
    }

    /**
     * @param table   table as configured (validated here)
     * @param key     the conflict column (unique)
     * @param columns column name -> PostgreSQL array element type (e.g. "text", "numeric",
     *                "timestamptz"), key first; order is the parameter order
     */
    public static String upsert(String table, String key, Map<String, String> columns) {
        StringJoiner names = new StringJoiner(",");
        StringJoiner arrays = new StringJoiner(", ");
        List<String> updates = new ArrayList<>();
        for (Map.Entry<String, String> c : columns.entrySet()) {
            String col = Identifiers.quote(c.getKey());
            names.add(col);
            arrays.add("?::" + arrayType(c.getValue()));
            if (!c.getKey().equalsIgnoreCase(key)) {
                updates.add(col + " = EXCLUDED." + col);
            }
        }
        String insert = "INSERT INTO " + Identifiers.qualified(table) + " (" + names + ") SELECT * FROM unnest(" + arrays + ")";
        String conflict = " ON CONFLICT (" + Identifiers.quote(key) + ") DO ";
        return insert + conflict + (updates.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", updates));
    }

    /**
     * Like {@link #upsert}, for columns of any type, returning one row per upserted key:
     * {@code (key, inserted)}, where {@code inserted} is true for a row that did not exist.
     * A column whose type ends in {@code []} (e.g. {@code text[]}) would be flattened by
     * {@code unnest}, so its parameter is a {@code text[]} of array literals
     * ({@link #arrayLiteral}), cast back row by row.
     *
     * <pre>
     * INSERT INTO "public"."account" ("sfid","tags") SELECT u.c1, u.c2::text[]
     * FROM unnest(?::text[], ?::text[]) AS u(c1, c2)
     * ON CONFLICT ("sfid") DO UPDATE SET "tags" = EXCLUDED."tags" RETURNING "sfid", (xmax = 0)
     * </pre>
     *
     * @param columns column name -> type name (e.g. "text", "int4", "timestamptz", "text[]"), key first
     */
    public static String upsertReturningInserted(String table, String key, Map<String, String> columns) {
        StringJoiner names = new StringJoiner(",");
        StringJoiner selected = new StringJoiner(", ");
        StringJoiner arrays = new StringJoiner(", ");
        StringJoiner aliases = new StringJoiner(", ");
        List<String> updates = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> c : columns.entrySet()) {
            String col = Identifiers.quote(c.getKey());
            String alias = "c" + (++i);
            String type = c.getValue().trim().toLowerCase(java.util.Locale.ROOT);
            boolean array = type.endsWith("[]");
            String element = array ? type.substring(0, type.length() - 2) : type;
            names.add(col);
            aliases.add(alias);
            arrays.add("?::" + (array ? "text[]" : arrayType(element)));
            selected.add("u." + alias + (array ? "::" + arrayType(element) : ""));
            if (!c.getKey().equalsIgnoreCase(key)) {
                updates.add(col + " = EXCLUDED." + col);
            }
        }
        String quotedKey = Identifiers.quote(key);
        return "INSERT INTO " + Identifiers.qualified(table) + " (" + names + ") SELECT " + selected + " FROM unnest(" + arrays
                + ") AS u(" + aliases + ") ON CONFLICT (" + quotedKey + ") DO "
                + (updates.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", updates))
                + " RETURNING " + quotedKey + ", (xmax = 0)";
    }

    /**
     * A PostgreSQL array literal for one array value, every element double-quoted and escaped:
     * {@code ["a", "b \"c\"", null]} -> <code>{"a","b \"c\"",NULL}</code>.
     */
    public static String arrayLiteral(Object[] elements) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            Object e = elements[i];
            if (e == null) {
                out.append("NULL");
                continue;
            }
            out.append('"');
            String s = e.toString();
            for (int j = 0; j < s.length(); j++) {
                char ch = s.charAt(j);
                if (ch == '"' || ch == '\\') {
                    out.append('\\');
                }
                out.append(ch);
            }
            out.append('"');
        }
        return out.append('}').toString();
    }

    /** {@code DELETE FROM t WHERE key = ANY(?::text[])}. */
    public static String deleteByKeys(String table, String key) {
        return "DELETE FROM " + Identifiers.qualified(table) + " WHERE " + Identifiers.quote(key) + " = ANY(?::text[])";
    }

    /** {@code UPDATE t SET flag = ? WHERE key = ANY(?::text[])}: soft delete / undelete. */
    public static String setFlagByKeys(String table, String key, String flagColumn) {
        return "UPDATE " + Identifiers.qualified(table) + " SET " + Identifiers.quote(flagColumn) + " = ? WHERE "
                + Identifiers.quote(key) + " = ANY(?::text[])";
    }

    /** The array cast for a column type: validated so type names from metadata can't inject SQL. */
    static String arrayType(String elementType) {
        String t = elementType.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.matches("[a-z][a-z0-9_ ]*(\\([0-9, ]+\\))?")) {
            throw new IllegalArgumentException("Not a valid column type: '" + elementType + "'");
        }
        return t.endsWith("[]") ? t : t + "[]";
    }
}
