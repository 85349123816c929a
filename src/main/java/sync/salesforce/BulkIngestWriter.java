package sync.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Inserts or upserts large record sets through one Bulk API 2.0 ingest job per call (create the
 * job, upload the CSV, close it, poll until it completes, read successfulResults and
 * failedResults, delete the job), every request sent by camel-salesforce's {@code raw}
 * operation with {@code Sforce-Call-Options: client=<clientName>} (Bulk API 2.0 documents the
 * header; whether Salesforce copies it into the change events of bulk writes is not documented).
 *
 * <p>Records are field maps in Salesforce JSON form, as for {@link SObjectWriter}; they become CSV
 * with one column per field named in any record: a null value is {@code #N/A} (Bulk API's way to
 * clear a field), a field a record does not name is an empty cell (left unchanged on update).
 * Bulk results come in no particular order; they are matched back to the records by the values
 * Salesforce echoes, so the results are in the order of the records.
 *
 * <p>A call that fails is a {@link SalesforceUnavailableException} or a
 * {@link SalesforceRejectedException} as for {@link SObjectWriter}; a job that ends Failed or
 * Aborted is rejected with the job's {@code errorMessage}; a job that outlives the timeout is
 * aborted and reported unavailable (records it processed stay written).
 */
public final class BulkIngestWriter {
    /** Bulk API 2.0 takes up to 150 MB of base64-encoded CSV per job: about 100 MB of CSV. */
    static final int MAX_CSV_BYTES = 100 * 1024 * 1024;
    private static final String NULL = "#N/A";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)?");
    private static final Pattern CODE = Pattern.compile("^([A-Za-z_]+)\\s*:\\s*(.*)$", Pattern.DOTALL);

    /**
     * @param firstPoll delay before the first state poll; doubles after each poll that finds the job running
     * @param maxPoll   the largest delay between two polls
     * @param timeout   how long a job may take before it is aborted
     */
    public record Settings(Duration firstPoll, Duration maxPoll, Duration timeout) {
        public static Settings defaults() {
            return new Settings(Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofMinutes(30));
        }
    }

    private final RawCalls raw;
    private final Settings settings;

    public BulkIngestWriter(ProducerTemplate template, String apiVersion, String clientName) {
        this(template, apiVersion, clientName, Settings.defaults());
    }

    public BulkIngestWriter(ProducerTemplate template, String apiVersion, String clientName, Settings settings) {
        this.raw = new RawCalls(template, apiVersion, clientName);
        this.settings = settings;
    }

    /** Inserts the records; successful results have {@code created} true. */
    public List<WriteResult> bulkInsert(String object, List<Map<String, Object>> records) {
        return ingest("insert", SObjectWriter.name(object), null, records);
    }

    /** Inserts or updates the records matched by {@code externalIdField}, which each record holds. */
    public List<WriteResult> bulkUpsert(String object, String externalIdField, List<Map<String, Object>> records) {
        return ingest("upsert", SObjectWriter.name(object), SObjectWriter.name(externalIdField), records);
    }

    /** The org's API usage as the latest answer reported it; empty before the first call. */
    public Optional<ApiUsage> apiUsage() {
        return raw.apiUsage();
    }

    private List<WriteResult> ingest(String operation, String object, String externalIdField, List<Map<String, Object>> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        Csv csv = Csv.of(records);
        String jobId = create(operation, object, externalIdField);
        try {
            raw.call("upload to ingest job " + jobId, "PUT", jobPath(jobId, "/batches"), Map.of(),
                    Map.of("Content-Type", "text/csv"), csv.bytes());
            state(jobId, "UploadComplete");
            awaitCompletion(jobId);
            return results(jobId, csv);
        } finally {
            delete(jobId);
        }
    }

    private String create(String operation, String object, String externalIdField) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("object", object);
        job.put("operation", operation);
        if (externalIdField != null) {
            job.put("externalIdFieldName", externalIdField);
        }
        job.put("contentType", "CSV");
        job.put("columnDelimiter", "COMMA");
        job.put("lineEnding", "LF");
        String call = operation + " " + object + " through Bulk API 2.0";
        JsonNode created = RawCalls.json(call, raw.call(call, "POST", raw.path("/jobs/ingest"), Map.of(), Map.of(), json(job)));
        String id = created.path("id").asText(null);
        if (id == null) {
            throw new IllegalStateException(call + ": Salesforce created no job: " + RawCalls.abbreviate(created.toString()));
        }
        return id;
    }

    private JsonNode state(String jobId, String state) {
        String call = "set ingest job " + jobId + " to " + state;
        return RawCalls.json(call, raw.call(call, "PATCH", jobPath(jobId, ""), Map.of(), Map.of(), json(Map.of("state", state))));
    }

    private void awaitCompletion(String jobId) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Duration wait = settings.firstPoll();
        while (true) {
            String call = "state of ingest job " + jobId;
            JsonNode info = RawCalls.json(call, raw.call(call, "GET", jobPath(jobId, ""), Map.of(), Map.of(), null));
            String state = info.path("state").asText();
            switch (state) {
                case "JobComplete" -> {
                    return;
                }
                case "Failed", "Aborted" -> {
                    SalesforceError error = jobError(info.path("errorMessage").asText(state));
                    throw new SalesforceRejectedException("Bulk API 2.0 ingest job " + jobId + " ended " + state + ": "
                            + error, 200, List.of(error), null); // the job's state came with HTTP 200
                }
                default -> {
                    // Open, UploadComplete, InProgress
                }
            }
            if (System.nanoTime() > deadline) {
                abort(jobId);
                throw new SalesforceUnavailableException("Bulk API 2.0 ingest job " + jobId + " did not complete within "
                        + settings.timeout() + " (aborted; the records it processed stay written)", 0, List.of(), null);
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort(jobId);
                throw new SalesforceUnavailableException("Interrupted waiting for ingest job " + jobId, 0, List.of(), e);
            }
            wait = wait.multipliedBy(2).compareTo(settings.maxPoll()) > 0 ? settings.maxPoll() : wait.multipliedBy(2);
        }
    }

    /** A job's errorMessage ({@code InvalidBatch : Field name not found : X}) with its leading code, when it has one. */
    static SalesforceError jobError(String errorMessage) {
        Matcher m = CODE.matcher(errorMessage);
        return m.matches() ? new SalesforceError(m.group(1), m.group(2), List.of()) : new SalesforceError(null, errorMessage, List.of());
    }

    private List<WriteResult> results(String jobId, Csv csv) {
        Map<List<String>, Deque<WriteResult>> byRecord = new HashMap<>();
        for (Map<String, String> row : resultRows(jobId, "successfulResults")) {
            WriteResult r = new WriteResult(true, row.get("sf__Id"), Boolean.parseBoolean(row.get("sf__Created")), List.of());
            byRecord.computeIfAbsent(csv.key(row), k -> new ArrayDeque<>()).add(r);
        }
        for (Map<String, String> row : resultRows(jobId, "failedResults")) {
            String id = row.get("sf__Id");
            WriteResult r = new WriteResult(false, id == null || id.isEmpty() ? null : id, false,
                    List.of(recordError(row.get("sf__Error"))));
            byRecord.computeIfAbsent(csv.key(row), k -> new ArrayDeque<>()).add(r);
        }
        List<WriteResult> out = new ArrayList<>(csv.rows().size());
        for (int i = 0; i < csv.rows().size(); i++) {
            Deque<WriteResult> matches = byRecord.get(csv.rows().get(i));
            if (matches == null || matches.isEmpty()) {
                throw new IllegalStateException("Ingest job " + jobId + " reported no result for record " + i);
            }
            out.add(matches.poll());
        }
        return out;
    }

    /** {@code CODE:message:Field1 Field2 --} (the fields part may be empty) as an error. */
    static SalesforceError recordError(String sfError) {
        String text = sfError == null ? "" : sfError.strip();
        if (text.endsWith("--")) {
            text = text.substring(0, text.length() - 2);
        }
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first < 0) {
            return new SalesforceError(null, text, List.of());
        }
        if (last == first) {
            return new SalesforceError(text.substring(0, first), text.substring(first + 1).strip(), List.of());
        }
        String fields = text.substring(last + 1).strip();
        return new SalesforceError(text.substring(0, first), text.substring(first + 1, last),
                fields.isEmpty() ? List.of() : List.of(fields.split("\\s+")));
    }

    private List<Map<String, String>> resultRows(String jobId, String kind) {
        String call = kind + " of ingest job " + jobId;
        RawCalls.Answer answer = raw.call(call, "GET", jobPath(jobId, "/" + kind), Map.of(), Map.of("Accept", "text/csv"), null);
        List<Map<String, String>> out = new ArrayList<>();
        if (answer.body() == null) {
            return out;
        }
        try {
            BulkQueryReader.CsvRows rows = new BulkQueryReader.CsvRows(new StringReader(answer.body()));
            List<String> header = rows.next();
            List<String> row;
            while (header != null && (row = rows.next()) != null) {
                Map<String, String> r = new HashMap<>();
                for (int i = 0; i < header.size() && i < row.size(); i++) {
                    r.put(header.get(i), row.get(i));
                }
                out.add(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable " + call, e);
        }
        return out;
    }

    private void abort(String jobId) {
        try {
            state(jobId, "Aborted");
        } catch (RuntimeException e) {
            // best effort: a job that cannot be aborted finishes on its own
        }
    }

    private void delete(String jobId) {
        try {
            raw.call("delete ingest job " + jobId, "DELETE", jobPath(jobId, ""), Map.of(), Map.of(), null);
        } catch (RuntimeException e) {
            // best effort: Salesforce deletes finished jobs after 7 days
        }
    }

    private String jobPath(String jobId, String rest) {
        if (!jobId.matches("[A-Za-z0-9]{15,18}")) {
            throw new IllegalStateException("Not a job Id: " + jobId);
        }
        return raw.path("/jobs/ingest/" + jobId + rest);
    }

    private static byte[] json(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The upload: a header of every field named, one row of cells per record (also the key its result is found by). */
    record Csv(List<String> header, List<List<String>> rows, byte[] bytes) {
        static Csv of(List<Map<String, Object>> records) {
            Set<String> columns = new LinkedHashSet<>();
            records.forEach(r -> columns.addAll(r.keySet()));
            List<String> header = new ArrayList<>(columns);
            for (String c : header) {
                if (!COLUMN.matcher(c).matches()) {
                    throw new IllegalArgumentException("Not a Salesforce field name: '" + c + "'");
                }
            }
            StringBuilder text = new StringBuilder();
            line(text, header);
            List<List<String>> rows = new ArrayList<>(records.size());
            for (Map<String, Object> r : records) {
                List<String> cells = new ArrayList<>(header.size());
                for (String c : header) {
                    cells.add(r.containsKey(c) ? cell(r.get(c)) : "");
                }
                rows.add(cells);
                line(text, cells);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_CSV_BYTES) {
                throw new IllegalArgumentException("One ingest job takes at most " + MAX_CSV_BYTES + " bytes of CSV, not "
                        + bytes.length + ": split the records");
            }
            return new Csv(header, rows, bytes);
        }

        /** The cells of a result row under this upload's header, as the upload had them. */
        List<String> key(Map<String, String> resultRow) {
            List<String> key = new ArrayList<>(header.size());
            for (String c : header) {
                key.add(resultRow.getOrDefault(c, ""));
            }
            return key;
        }

        private static String cell(Object v) {
            if (v == null) {
                return NULL;
            }
            if (v instanceof BigDecimal d) {
                return d.toPlainString();
            }
            if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                return v.toString();
            }
            throw new IllegalArgumentException("Record values must be Salesforce JSON values (strings, numbers, booleans, "
                    + "null), not " + v.getClass().getName());
        }

        private static void line(StringBuilder out, List<String> cells) {
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                String c = cells.get(i);
                boolean quote = c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0
                        || !c.equals(c.strip());
                out.append(quote ? '"' + c.replace("\"", "\"\"") + '"' : c);
            }
            out.append('\n');
        }
    }
}
