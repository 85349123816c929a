package emulator.bulk;

import emulator.SalesforceEmulator;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.SalesforceIds;
import emulator.model.Values;
import emulator.store.OrgStore;
import emulator.store.WriteContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Processes a closed ingest job: parses its CSV, resolves the header against the object (an
 * unknown column fails the whole job, {@code InvalidBatch : Field name not found : X}), then
 * writes the records in internal batches of 10,000, one store transaction each (so the change
 * events of one batch share a transactionKey). A record that fails lands in failedResults with
 * {@code STATUS_CODE:message:fields --}; the other records of its batch still commit.
 */
final class IngestProcessor {
    static final int CHUNK = 10_000;
    static final String NA = "#N/A";

    private final SalesforceEmulator org;

    IngestProcessor(SalesforceEmulator org) {
        this.org = org;
    }

    /** A header column: a field of the object, or {@code Relationship.ExternalIdField} of a lookup. */
    private record Column(String name, FieldDef field, FieldDef reference, ObjectDef target, FieldDef targetKey) {
    }

    private record Row(List<String> header, List<Column> columns, List<String> cells) {
        String cell(int i) {
            return i < cells.size() ? cells.get(i) : "";
        }

        /** The record's values mapped onto the job's result header. */
        List<String> original(List<String> jobHeader) {
            if (jobHeader.equals(header)) {
                return cells;
            }
            List<String> out = new ArrayList<>();
            for (String h : jobHeader) {
                int i = header.indexOf(h);
                out.add(i < 0 ? "" : cell(i));
            }
            return out;
        }
    }

    private record Outcome(Row row, String id, boolean created, String error) {
    }

    void run(IngestJob job, WriteContext ctx) {
        long started = System.nanoTime();
        synchronized (job) {
            if (!job.state.equals("UploadComplete") || job.deleted) {
                return;
            }
            job.setState("InProgress", org.clock().instant());
        }
        List<Row> rows = new ArrayList<>();
        try {
            List<byte[]> uploads;
            synchronized (job) {
                uploads = new ArrayList<>(job.uploads);
            }
            for (byte[] upload : uploads) {
                List<List<String>> records = Csv.parse(new String(upload, StandardCharsets.UTF_8), job.delimiter, job.lineEnding);
                if (records.isEmpty()) {
                    continue;
                }
                List<String> header = records.get(0);
                List<Column> columns = columns(job, header);
                synchronized (job) {
                    if (job.header == null) {
                        job.header = header;
                    }
                }
                for (int r = 1; r < records.size(); r++) {
                    List<String> cells = records.get(r);
                    if (cells.size() != header.size()) {
                        throw new Csv.CsvException("ClientInputError : Record " + r + " has " + cells.size()
                                + " fields but the header row has " + header.size());
                    }
                    rows.add(new Row(header, columns, cells));
                }
            }
        } catch (Csv.CsvException e) {
            fail(job, e.getMessage(), started);
            return;
        }
        WriteContext bulkCtx = new WriteContext(ctx.userId(), "bulkapi", ctx.apiVersion(), ctx.client());
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            synchronized (job) {
                if (!job.state.equals("InProgress") || job.deleted) {
                    for (Row r : rows.subList(from, rows.size())) {
                        job.unprocessed.add(r.original(job.header));
                    }
                    job.processingMillis = (System.nanoTime() - started) / 1_000_000;
                    return;
                }
            }
            List<Outcome> outcomes = org.store().transaction(bulkCtx, tx -> {
                List<Outcome> out = new ArrayList<>(chunk.size());
                for (Row row : chunk) {
                    out.add(processRow(tx, job, row));
                }
                return out;
            });
            synchronized (job) {
                for (Outcome o : outcomes) {
                    List<String> line = new ArrayList<>();
                    line.add(o.id == null ? "" : o.id);
                    if (o.error == null) {
                        line.add(Boolean.toString(o.created));
                        line.addAll(o.row.original(job.header));
                        job.successful.add(line);
                    } else {
                        line.add(o.error);
                        line.addAll(o.row.original(job.header));
                        job.failed.add(line);
                        job.failures++;
                    }
                    job.processed++;
                }
                job.processingMillis = (System.nanoTime() - started) / 1_000_000;
                job.setState(job.state, org.clock().instant());
            }
        }
        synchronized (job) {
            job.processingMillis = (System.nanoTime() - started) / 1_000_000;
            if (job.state.equals("InProgress")) {
                job.setState("JobComplete", org.clock().instant());
            }
        }
    }

    private void fail(IngestJob job, String message, long started) {
        synchronized (job) {
            job.errorMessage = message;
            job.unprocessed.clear();
            job.unprocessed.addAll(lenientRows(job));
            job.processingMillis = (System.nanoTime() - started) / 1_000_000;
            job.setState("Failed", org.clock().instant());
        }
    }

    /** Every uploaded record, read without line-ending checks (unprocessed records of a failed or aborted job). */
    static List<List<String>> lenientRows(IngestJob job) {
        List<List<String>> out = new ArrayList<>();
        for (byte[] upload : job.uploads) {
            List<List<String>> records;
            try {
                records = Csv.parse(new String(upload, StandardCharsets.UTF_8), job.delimiter, null);
            } catch (Csv.CsvException e) {
                continue;
            }
            if (records.isEmpty()) {
                continue;
            }
            if (job.header == null) {
                job.header = records.get(0);
            }
            List<String> header = records.get(0);
            for (int r = 1; r < records.size(); r++) {
                out.add(new Row(header, List.of(), records.get(r)).original(job.header));
            }
        }
        return out;
    }

    private List<Column> columns(IngestJob job, List<String> header) {
        ObjectDef o = job.object;
        List<Column> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : header) {
            String name = raw.trim();
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw new Csv.CsvException("InvalidBatch : Duplicate field name: " + name);
            }
            FieldDef f = o.field(name);
            if (f != null && !f.isCompound()) {
                out.add(new Column(name, f, null, null, null));
                continue;
            }
            int dot = name.indexOf('.');
            if (dot > 0) {
                String relationship = name.substring(0, dot);
                FieldDef ref = o.fields().stream()
                        .filter(x -> x.relationshipName() != null && x.relationshipName().equalsIgnoreCase(relationship))
                        .findFirst().orElse(null);
                ObjectDef target = ref == null || ref.referenceTo().isEmpty() ? null : org.schema().object(ref.referenceTo().get(0));
                FieldDef key = target == null ? null : target.field(name.substring(dot + 1));
                if (key != null && (key.externalId() || key.name().equals("Id"))) {
                    out.add(new Column(name, null, ref, target, key));
                    continue;
                }
            }
            throw new Csv.CsvException("InvalidBatch : Field name not found : " + name);
        }
        return out;
    }

    private Outcome processRow(OrgStore.Tx tx, IngestJob job, Row row) {
        ObjectDef o = job.object;
        String id = null;
        try {
            switch (job.operation) {
                case "insert" -> {
                    String given = cellOf(row, "Id");
                    if (given != null && !given.isEmpty()) {
                        throw new ApiException(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call",
                                List.of("Id"));
                    }
                    id = tx.create(o, values(tx, job, row, true, null));
                    return new Outcome(row, id, true, null);
                }
                case "update" -> {
                    id = requireId(o, row, "update");
                    Map<String, Object> values = values(tx, job, row, false, null);
                    update(tx, o, id, values);
                    return new Outcome(row, id, false, null);
                }
                case "upsert" -> {
                    FieldDef ext = job.externalIdField;
                    String key = cellOf(row, ext.name());
                    if (ext.name().equals("Id")) {
                        if (key == null || key.isEmpty()) {
                            id = tx.create(o, values(tx, job, row, true, null));
                            return new Outcome(row, id, true, null);
                        }
                        id = requireId(o, row, "upsert");
                        update(tx, o, id, values(tx, job, row, false, null));
                        return new Outcome(row, id, false, null);
                    }
                    if (key == null || key.isEmpty() || key.equals(NA)) {
                        throw new ApiException(400, "MISSING_ARGUMENT", ext.name() + " not specified", List.of());
                    }
                    Object keyValue = coerce(o, ext, key, row);
                    List<String> matches = tx.findBy(o, ext.name(), keyValue);
                    if (matches.size() > 1) {
                        throw new ApiException(400, "DUPLICATE_EXTERNAL_ID", ext.name()
                                + ": more than one record found for external id field: " + matches, List.of(ext.name()));
                    }
                    if (matches.isEmpty()) {
                        Map<String, Object> values = values(tx, job, row, true, null);
                        values.put(ext.name(), keyValue);
                        id = tx.create(o, values);
                        return new Outcome(row, id, true, null);
                    }
                    id = matches.get(0);
                    Map<String, Object> values = values(tx, job, row, false, ext);
                    update(tx, o, id, values);
                    return new Outcome(row, id, false, null);
                }
                default -> { // delete, hardDelete
                    id = requireId(o, row, "delete");
                    try {
                        tx.delete(o, id);
                    } catch (ApiException e) {
                        throw e.errorCode().equals("NOT_FOUND") ? crossReference() : e;
                    }
                    return new Outcome(row, id, false, null);
                }
            }
        } catch (ApiException e) {
            return new Outcome(row, id, false, error(e.errorCode(), e.getMessage(), e.fields()));
        } catch (RuntimeException e) {
            return new Outcome(row, id, false, error("UNKNOWN_EXCEPTION", String.valueOf(e.getMessage()), null));
        }
    }

    private static void update(OrgStore.Tx tx, ObjectDef o, String id, Map<String, Object> values) {
        try {
            tx.update(o, id, values);
        } catch (ApiException e) {
            throw e.errorCode().equals("NOT_FOUND") ? crossReference() : e;
        }
    }

    private static ApiException crossReference() {
        return new ApiException(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of());
    }

    /** {@code CODE:message:Field1 Field2 --}, or {@code CODE:message:--} without fields. */
    static String error(String code, String message, List<String> fields) {
        StringBuilder s = new StringBuilder(code).append(':').append(message).append(':');
        if (fields != null) {
            for (String f : fields) {
                s.append(f).append(' ');
            }
        }
        return s.append("--").toString();
    }

    private static String cellOf(Row row, String field) {
        for (int i = 0; i < row.columns().size(); i++) {
            Column c = row.columns().get(i);
            if (c.field() != null && c.field().name().equalsIgnoreCase(field)) {
                return row.cell(i);
            }
        }
        return null;
    }

    private static String requireId(ObjectDef o, Row row, String call) {
        String raw = cellOf(row, "Id");
        if (raw == null || raw.isEmpty()) {
            throw new ApiException(400, "MISSING_ARGUMENT", "Id not specified in an " + call + " call", List.of());
        }
        String id = SalesforceIds.normalize(raw);
        if (id == null || !id.startsWith(o.keyPrefix())) {
            throw new ApiException(400, "MALFORMED_ID", o.label() + " ID: id value of incorrect type: " + raw, List.of("Id"));
        }
        return id;
    }

    /**
     * The record's field values: an empty cell leaves the field alone (its default on insert,
     * unchanged on update), {@code #N/A} sets it to null. Fields that are not createable
     * (insert) / updateable (update) fail the record, as the REST API does.
     */
    private Map<String, Object> values(OrgStore.Tx tx, IngestJob job, Row row, boolean create, FieldDef skip) {
        ObjectDef o = job.object;
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> readOnly = new ArrayList<>();
        for (int i = 0; i < row.columns().size(); i++) {
            Column c = row.columns().get(i);
            String cell = row.cell(i);
            if (cell.isEmpty()) {
                continue;
            }
            boolean nulled = cell.equals(NA);
            if (c.field() != null) {
                FieldDef f = c.field();
                if (f.name().equals("Id") || f == skip) {
                    continue;
                }
                if (create ? !f.createable() : !f.updateable()) {
                    readOnly.add(f.name());
                    continue;
                }
                values.put(f.name(), nulled ? null : coerce(o, f, cell, row));
                continue;
            }
            FieldDef ref = c.reference();
            if (create ? !ref.createable() : !ref.updateable()) {
                readOnly.add(ref.name());
                continue;
            }
            values.put(ref.name(), nulled ? null : resolve(tx, c, cell));
        }
        if (!readOnly.isEmpty()) {
            throw new ApiException(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "
                    + String.join(", ", readOnly) + ". Please check the security settings of this field and verify that "
                    + "it is read/write for your profile or permission set.", readOnly);
        }
        return values;
    }

    /** {@code Account.Pg_Id__c} = value: the Id of the one live record with that external id. */
    private static Object resolve(OrgStore.Tx tx, Column c, String cell) {
        ObjectDef target = c.target();
        FieldDef key = c.targetKey();
        if (key.name().equals("Id")) {
            String id = SalesforceIds.normalize(cell);
            if (id == null) {
                throw new ApiException(400, "MALFORMED_ID", c.reference().label() + ": id value of incorrect type: " + cell,
                        List.of(c.reference().name()));
            }
            return id;
        }
        Object value = Values.coerce(target, key, Json.MAPPER.getNodeFactory().textNode(cell));
        List<String> ids = tx.findBy(target, key.name(), value);
        if (ids.isEmpty()) {
            throw new ApiException(400, "INVALID_FIELD", "Foreign key external ID: " + cell + " not found for field "
                    + key.name() + " in entity " + target.name(), List.of());
        }
        if (ids.size() > 1) {
            throw new ApiException(400, "DUPLICATE_EXTERNAL_ID", "Foreign key external ID: " + cell
                    + " matches more than one record for field " + key.name() + " in entity " + target.name(), List.of());
        }
        return ids.get(0);
    }

    /** A CSV cell to the field's stored form; unreadable values fail like Salesforce's CSV deserializer. */
    private static Object coerce(ObjectDef o, FieldDef f, String cell, Row row) {
        String text = cell;
        if (f.type().equals("boolean")) {
            if (text.equals("1")) {
                text = "true";
            } else if (text.equals("0")) {
                text = "false";
            }
        }
        try {
            return Values.coerce(o, f, Json.MAPPER.getNodeFactory().textNode(text));
        } catch (ApiException e) {
            if (!e.errorCode().equals("JSON_PARSER_ERROR")) {
                throw e;
            }
            int col = 1;
            for (int i = 0; i < row.columns().size(); i++) {
                if (row.columns().get(i).field() == f) {
                    col = i + 1;
                }
            }
            throw new ApiException(400, "INVALID_FIELD", "Failed to deserialize field at col " + col + ". Due to, '"
                    + cell + "' is not a valid value for the type " + f.soapType(), List.of());
        }
    }
}
