package sync.mapping;

/**
 * One mapped Salesforce field and the PostgreSQL column it is stored in, both with their types,
 * as resolved against describe and the live table.
 *
 * @param field   Salesforce field API name as describe spells it (the key in a change's fields)
 * @param sfType  Salesforce describe type, lower case
 * @param column  column name (lower case, unquoted)
 * @param pgType  information_schema {@code data_type} ({@code ARRAY} for arrays; the type's
 *                name for user-defined types such as {@code citext}): what
 *                {@link ValueConverter#toPostgres} expects
 * @param sqlType the type's name in SQL casts: {@code udt_name} for scalars ({@code int4},
 *                {@code timestamptz}), element type plus {@code []} for arrays ({@code text[]})
 */
public record FieldColumn(String field, String sfType, String column, String pgType, String sqlType) {

    /** Whether the column is an array (a multi-select picklist stored as {@code text[]}). */
    public boolean isArray() {
        return sqlType.endsWith("[]");
    }
}
