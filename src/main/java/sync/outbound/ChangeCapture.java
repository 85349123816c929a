package sync.outbound;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import sync.change.Change;
import sync.debezium.DebeziumValues;
import sync.mapping.FieldColumn;
import sync.mapping.ValueConverter;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A row change read from the WAL (a Debezium event's operation, before and after images and
 * source block) as a canonical {@link Change} of origin POSTGRES: the mapped columns that changed,
 * converted to Salesforce's JSON form, keyed by field name. Pure: no database, no Camel.
 *
 * <p>An UPDATE sends only the columns that differ between the before and after images when the
 * table logs full before images (REPLICA IDENTITY FULL); otherwise PostgreSQL logs no before
 * image and every mapped column of the after image is sent. Columns whose value PostgreSQL did
 * not log (unchanged TOASTed values) are never sent.
 */
public final class ChangeCapture {

    private ChangeCapture() {
    }

    /** A value that cannot be sent: the change is dead-lettered with the row's key. */
    public static final class CaptureException extends RuntimeException {
        private final String key;

        CaptureException(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /**
     * @param op     Debezium operation: c (insert), u (update), d (delete), r (snapshot read)
     * @param source Debezium's source block: {@code lsn}, {@code ts_ms} (commit time), {@code txId}
     * @return the change, or null when nothing mapped changed (e.g. only unmapped columns)
     */
    public static Change toChange(OutboundMapping m, String op, Struct before, Struct after, Map<String, Object> source) {
        Struct image = "d".equals(op) ? before : after;
        if (image == null) {
            throw new CaptureException(null, "mapping '" + m.name() + "': a '" + op + "' event without a row image");
        }
        String key = text(image, m.keyColumn());
        if (key == null) {
            throw new CaptureException(null, "mapping '" + m.name() + "': a '" + op + "' event without the key column "
                    + m.keyColumn() + " (the table's REPLICA IDENTITY must include the primary key)");
        }
        String sfid = text(image, m.mapping().idColumn());
        long lsn = number(source, "lsn");
        Instant commit = Instant.ofEpochMilli(number(source, "ts_ms"));
        Object tx = source.get("txId");
        Change.Transaction transaction = tx == null ? null : new Change.Transaction(String.valueOf(tx), 0);
        if ("d".equals(op)) {
            return new Change(m.name(), Change.Origin.POSTGRES, Change.Op.DELETE, sfid, key, Map.of(), commit,
                    Long.toString(lsn), transaction, null);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        boolean diff = "u".equals(op) && before != null && m.replicaIdentityFull();
        for (Map.Entry<String, FieldColumn> e : m.fieldsByColumn().entrySet()) {
            Field f = after.schema().field(e.getKey());
            if (f == null) {
                continue;
            }
            // getWithoutDefault: Struct.get turns a NULL into the column's DEFAULT.
            Object raw = after.getWithoutDefault(f.name());
            if (DebeziumValues.isUnavailable(raw)) {
                continue;
            }
            Object value = convert(m, key, e.getValue(), f, raw);
            if (diff) {
                Field bf = before.schema().field(e.getKey());
                Object old = bf == null ? null : before.getWithoutDefault(bf.name());
                if (!DebeziumValues.isUnavailable(old) && Objects.equals(value, convert(m, key, e.getValue(), bf, old))) {
                    continue;
                }
            } else if ("c".equals(op) || "r".equals(op)) {
                if (value == null) {
                    continue; // a new record: nothing to clear
                }
            }
            fields.put(e.getValue().field(), value);
        }
        if (m.externalIdField().isPresent()) {
            String ext = text(after, m.externalIdColumn().get());
            if (ext != null) {
                fields.put(m.externalIdField().get(), ext);
            }
        }
        if (fields.isEmpty() && sfid != null) {
            return null;
        }
        return new Change(m.name(), Change.Origin.POSTGRES, Change.Op.UPSERT, sfid, key, fields, commit,
                Long.toString(lsn), transaction, null);
    }

    private static Object convert(OutboundMapping m, String key, FieldColumn fc, Field f, Object raw) {
        try {
            return ValueConverter.toSalesforce(fc.sfType(), DebeziumValues.normalize(f.schema(), raw));
        } catch (ValueConverter.ConversionException | ArithmeticException | IllegalArgumentException e) {
            throw new CaptureException(key, "mapping '" + m.name() + "', row " + m.keyColumn() + "=" + key + ": column "
                    + fc.column() + " -> field " + fc.field() + ": " + e.getMessage());
        }
    }

    private static String text(Struct s, String column) {
        Field f = s.schema().field(column);
        Object v = f == null ? null : s.getWithoutDefault(f.name());
        return v == null || DebeziumValues.isUnavailable(v) ? null : v.toString();
    }

    private static long number(Map<String, Object> source, String key) {
        Object v = source == null ? null : source.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("Debezium source block without " + key + ": " + source);
    }
}
