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
