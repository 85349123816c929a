package sync.outbound;

import sync.config.SyncConfig;
import sync.mapping.FieldColumn;
import sync.mapping.ResolvedMapping;
import sync.mapping.SalesforceField;
import sync.mapping.MappingException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the PostgreSQL -> Salesforce side needs of a mapping: the resolved fields, which of them
 * Salesforce lets the integration user set on create and on update, the table's key, the
 * external Id (if upserting) and the delete and conflict policies.
 *
 * @param mapping             the resolved mapping (fields, table, Id column)
 * @param keyColumn           the table's single-column primary key
 * @param keyType             its SQL type as the catalog names it (e.g. bigint, uuid, text)
 * @param createable          fields sent on create
 * @param updateable          fields sent on update
 * @param externalIdField     Salesforce external Id field used to upsert, if configured
 * @param externalIdColumn    column whose value that field holds
 * @param deletes             what a PostgreSQL delete does in Salesforce
 * @param conflicts           which side wins a concurrent edit of one field
 * @param replicaIdentityFull whether the table logs full before images (REPLICA IDENTITY FULL)
 */
public record OutboundMapping(ResolvedMapping mapping, String keyColumn, String keyType, Set<String> createable, Set<String> updateable,
                              Optional<String> externalIdField, Optional<String> externalIdColumn,
                              SyncConfig.SalesforceDeletePolicy deletes, SyncConfig.ConflictPolicy conflicts,
                              boolean replicaIdentityFull) {

    public OutboundMapping {
        createable = Set.copyOf(createable);
        updateable = Set.copyOf(updateable);
    }

    public String name() {
        return mapping.name();
    }

    public String object() {
        return mapping.object();
    }

    /**
     * Checks what only the PostgreSQL -> Salesforce side needs: a single-column primary key, the
     * external Id column, and at least one field Salesforce lets Sluice write.
     */
    public static OutboundMapping resolve(ResolvedMapping m, SyncConfig.Mapping config, Map<String, SalesforceField> describe,
                                          Connection c) throws SQLException {
        String prefix = "mapping '" + m.name() + "': ";
        List<String[]> key = primaryKey(c, m);
        if (key.size() != 1) {
            throw new MappingException(List.of(prefix + "table " + m.qualifiedTable() + (key.isEmpty() ? " has no primary key"
                    : " has a primary key of " + key.size() + " columns") + "; syncing it to Salesforce needs a"
                    + " single-column primary key (add one, e.g. id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)"));
        }
        Set<String> createable = new TreeSet<>();
        Set<String> updateable = new TreeSet<>();
        for (FieldColumn f : m.fields()) {
            SalesforceField d = describe.get(f.field());
            if (d != null && d.createable()) {
                createable.add(f.field());
            }
            if (d != null && d.updateable()) {
                updateable.add(f.field());
            }
        }
        if (createable.isEmpty() && updateable.isEmpty()) {
            throw new MappingException(List.of(prefix + "none of the mapped fields of " + m.object() + " can be written by the"
                    + " integration user (describe reports them neither createable nor updateable); map writable fields"
                    + " or set direction: to-postgres"));
        }
        Optional<String> extField = config.externalId().map(SyncConfig.ExternalId::field);
        Optional<String> extColumn = config.externalId().map(SyncConfig.ExternalId::column);
        if (extField.isPresent()) {
            SalesforceField d = describe.get(extField.get());
            if (d == null) {
                throw new MappingException(List.of(prefix + "external-id.field " + extField.get() + " does not exist on "
                        + m.object() + "; use an External ID field of the object"));
            }
            if (!columns(c, m).contains(extColumn.get())) {
                throw new MappingException(List.of(prefix + "external-id.column " + extColumn.get() + " does not exist in "
                        + m.qualifiedTable()));
            }
        }
        return new OutboundMapping(m, key.get(0)[0], key.get(0)[1], createable, updateable, extField, extColumn,
                config.deletes().inSalesforce(), config.conflicts(), replicaIdentityFull(c, m));
    }

    private static List<String[]> primaryKey(Connection c, ResolvedMapping m) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass AND i.indisprimary
                ORDER BY a.attnum""")) {
            ps.setString(1, m.table().schema());
            ps.setString(2, m.table().table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return out;
    }

    private static Set<String> columns(Connection c, ResolvedMapping m) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, m.table().schema());
            ps.setString(2, m.table().table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static boolean replicaIdentityFull(Connection c, ResolvedMapping m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT relreplident FROM pg_class WHERE oid = (quote_ident(?) || '.' || quote_ident(?))::regclass")) {
            ps.setString(1, m.table().schema());
            ps.setString(2, m.table().table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && "f".equals(rs.getString(1));
            }
        }
    }

    /** Column name -> mapped field, for the capture step. */
    public Map<String, FieldColumn> fieldsByColumn() {
        Map<String, FieldColumn> out = new LinkedHashMap<>();
        for (FieldColumn f : mapping.fields()) {
            out.put(f.column(), f);
        }
        return out;
    }
}
