package sync.mapping;

import sync.config.PostgresDeletePolicy;
import sync.config.SyncConfig;
import sync.sql.Identifiers;

import java.util.List;
import java.util.Objects;

/**
 * A mapping checked against the live table and the Salesforce describe, with every type known:
 * everything the apply side needs, so it never looks at configuration or metadata again.
 *
 * @param name      mapping name from configuration
 * @param object    Salesforce object API name
 * @param table     the PostgreSQL table
 * @param idColumn  column holding the Salesforce Id (unique-indexed)
 * @param fields    mapped fields in configuration order, the Id field excluded
 * @param deletes   what a Salesforce delete does to the row
 * @param direction which way the mapping syncs
 */
public record ResolvedMapping(String name, String object, Identifiers.TableName table, String idColumn,
                              List<FieldColumn> fields, PostgresDeletePolicy deletes, SyncConfig.Direction direction) {

    public ResolvedMapping {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(idColumn, "idColumn");
        Objects.requireNonNull(deletes, "deletes");
        Objects.requireNonNull(direction, "direction");
        fields = List.copyOf(fields);
    }

    /** {@code schema.table}, as the SQL builders take it. */
    public String qualifiedTable() {
        return table.schema() + "." + table.table();
    }
}
