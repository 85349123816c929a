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
import java.util.Collections;
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
 * Writes large record sets through Bulk API 2.0 ingest jobs (create the job, upload the CSV,
 * close it, poll until it ends, read successfulResults and failedResults), every request sent by
 * camel-salesforce's {@code raw} operation with {@code Sforce-Call-Options: client=<clientName>}
 * (Bulk API 2.0 documents the header; whether Salesforce copies it into the change events of bulk
 * writes is not documented; the emulator does).
 *
 * <p>Records are field maps in Salesforce JSON form, as for {@link SObjectWriter}; they become CSV
 * with one column per field named in any record: a null or empty value is {@code #N/A} (Bulk
 * API's way to clear a field; Salesforce keeps no empty text), a field a record does not name is
 * an empty cell (left unchanged on update). Bulk results come in no particular order; they are
 * matched back to the records by the values Salesforce echoes (the whole submitted row), so the
 * results are in the order of the records. Records with identical rows are interchangeable: their
 * results are handed out among them in the order read.
 *
 * <p>{@link #bulkInsert} and {@link #bulkUpsert} run a whole job per call. Callers that must survive
 * a stop in the middle of a job drive the steps themselves ({@link #open}, {@link #upload},
 * {@link #close}, {@link #await}) and record the job's Id between {@code open} and {@code upload}:
 * until it is closed a job processes nothing, and after a restart {@link #resume} reads what a
 * closed job did instead of sending its records again.
 *
 * <p>A call that fails is a {@link SalesforceUnavailableException} or a
 * {@link SalesforceRejectedException} as for {@link SObjectWriter}.
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
     * @param timeout   how long a job may take before the writer stops waiting for it
     */
    public record Settings(Duration firstPoll, Duration maxPoll, Duration timeout) {
        public static Settings defaults() {
            return new Settings(Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofMinutes(30));
        }
    }

    /** What a job does to each record; update and delete records carry their {@code Id}. */
    public enum Operation {
        INSERT("insert"), UPDATE("update"), UPSERT("upsert"), DELETE("delete");

        private final String wire;

        Operation(String wire) {
            this.wire = wire;
        }
    }

    /** A job created by {@link #open}, with the upload it takes. */
    public static final class Job {
        private final String id;
        private final Csv csv;

        private Job(String id, Csv csv) {
            this.id = id;
            this.csv = csv;
        }

        public String id() {
            return id;
        }
    }

    /**
     * How a job ended and each record's result, in the order of the records.
     *
     * @param state   {@code JobComplete}, {@code Failed} or {@code Aborted}; {@code Open} when
     *                {@link #resume} found the upload never closed (it aborted the job: no record
     *                was processed)
     * @param error   the job's error ({@code errorMessage}) when it did not complete, else null
     * @param results one per record; null where the job reported no result for the record (it
     *                was not processed, or its echoed row could not be matched)
     */
    public record Outcome(String jobId, String state, SalesforceError error, List<WriteResult> results) {
        /** Whether the job as a whole failed (e.g. {@code InvalidBatch}): records it did not process would fail again. */
        public boolean failed() {
            return "Failed".equals(state);
        }

        /** Whether the job never started processing: none of its records was written. */
        public boolean neverClosed() {
            return "Open".equals(state);
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
        return ingest(Operation.INSERT, object, null, records);
    }

    /** Inserts or updates the records matched by {@code externalIdField}, which each record holds. */
    public List<WriteResult> bulkUpsert(String object, String externalIdField, List<Map<String, Object>> records) {
        return ingest(Operation.UPSERT, object, externalIdField, records);
    }

    /** The org's API usage as the latest answer reported it; empty before the first call. */
    public Optional<ApiUsage> apiUsage() {
        return raw.apiUsage();
    }

    /** API calls this writer has made so far. */
    public long calls() {
        return raw.calls();
    }

    /**
     * Runs one whole job: a job that ends Failed or Aborted is rejected with its
     * {@code errorMessage}; a job that outlives the timeout is aborted and reported unavailable
     * (records it processed stay written); the job is deleted at the end.
     */
    private List<WriteResult> ingest(Operation operation, String object, String externalIdField, List<Map<String, Object>> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        Job job = open(operation, object, externalIdField, records);
        try {
            upload(job);
            close(job);
            JsonNode info = awaitEnd(job.id, true);
            String state = info.path("state").asText();
            if (!state.equals("JobComplete")) {
                SalesforceError error = jobError(info.path("errorMessage").asText(state));
                throw new SalesforceRejectedException("Bulk API 2.0 ingest job " + job.id + " ended " + state + ": "
                        + error, 200, List.of(error), null); // the job's state came with HTTP 200
            }
            List<WriteResult> results = results(job.id, job.csv, info);
            int missing = results.indexOf(null);
            if (missing >= 0) {
                throw new IllegalStateException("Ingest job " + job.id + " reported no result for record " + missing);
            }
            return results;
        } finally {
            delete(job.id);
        }
    }

    /**
     * Step 1: creates a job (state Open) for the records. Nothing is processed until it is closed.
     *
     * @param externalIdField the field upserts match records by (UPSERT only)
     * @throws IllegalArgumentException when the records cannot be written as one job's CSV
     */
    public Job open(Operation operation, String object, String externalIdField, List<Map<String, Object>> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("An ingest job needs at least one record");
        }
        if ((operation == Operation.UPDATE || operation == Operation.DELETE)
                && records.stream().anyMatch(r -> r.get("Id") == null)) {
            throw new IllegalArgumentException("Every record to " + operation.wire + " needs its Id");
        }
        Csv csv = Csv.of(records);
        return new Job(create(operation.wire, SObjectWriter.name(object),
                operation == Operation.UPSERT ? SObjectWriter.name(externalIdField) : null), csv);
    }

    /** Step 2: uploads the records. */
    public void upload(Job job) {
        raw.call("upload to ingest job " + job.id, "PUT", jobPath(job.id, "/batches"), Map.of(),
                Map.of("Content-Type", "text/csv"), job.csv.bytes());
    }

    /** Step 3: closes the upload; Salesforce starts processing the records. */
    public void close(Job job) {
        state(job.id, "UploadComplete");
    }

    /**
     * Step 4: waits until the job ends and reads its results. A job still running after the
     * timeout is left running: {@link SalesforceUnavailableException}, {@link #resume} it later.
     */
    public Outcome await(Job job) {
        return outcome(job.id, job.csv, awaitEnd(job.id, false));
    }

    /**
     * What a job created earlier (by {@link #open}, for exactly these records) did: an Open job
     * (its upload never closed) is aborted and reported {@code Open}, having processed nothing;
     * a closed job is awaited and its results read. Empty when Salesforce no longer knows the job
     * (deleted, or older than the 7 days results are kept).
     */
    public Optional<Outcome> resume(String jobId, List<Map<String, Object>> records) {
        Csv csv = Csv.of(records);
        JsonNode info;
        try {
            info = info(jobId);
        } catch (SalesforceRejectedException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        if (info.path("state").asText().equals("Open")) {
            try {
                state(jobId, "Aborted");
                List<WriteResult> none = new ArrayList<>(Collections.nCopies(records.size(), (WriteResult) null));
                return Optional.of(new Outcome(jobId, "Open", null, none));
            } catch (SalesforceRejectedException e) {
                // closed meanwhile (INVALIDJOBSTATE): it runs, wait for it below
            }
        }
        return Optional.of(outcome(jobId, csv, awaitEnd(jobId, false)));
    }

    /** Aborts a job, best effort: a job that cannot be aborted finishes on its own. */
    public void abort(String jobId) {
        try {
            state(jobId, "Aborted");
        } catch (RuntimeException e) {
            // best effort
        }
    }

    /**
     * Where to cut {@code records} into jobs whose CSV each stays within the upload limit: the
     * end index (exclusive) of each part, in order.
     */
    public static List<Integer> parts(List<Map<String, Object>> records) {
        return parts(records, MAX_CSV_BYTES);
    }

    static List<Integer> parts(List<Map<String, Object>> records, long maxBytes) {
        List<String> header = Csv.header(records);
        List<Integer> ends = new ArrayList<>();
        long size = Csv.lineBytes(header);
        for (int i = 0; i < records.size(); i++) {
            long line = Csv.lineBytes(Csv.cells(header, records.get(i)));
            if (i > 0 && size + line > maxBytes) {
                ends.add(i);
                size = Csv.lineBytes(header);
            }
            size += line;
        }
        if (!records.isEmpty()) {
            ends.add(records.size());
        }
        return ends;
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

    private JsonNode info(String jobId) {
        String call = "state of ingest job " + jobId;
        return RawCalls.json(call, raw.call(call, "GET", jobPath(jobId, ""), Map.of(), Map.of(), null));
    }

    /** Polls until the job is JobComplete, Failed or Aborted; returns its last info. */
    private JsonNode awaitEnd(String jobId, boolean abortOnTimeout) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Duration wait = settings.firstPoll();
        while (true) {
            JsonNode info = info(jobId);
            switch (info.path("state").asText()) {
                case "JobComplete", "Failed", "Aborted" -> {
                    return info;
                }
                default -> {
                    // Open, UploadComplete, InProgress
                }
            }
            if (System.nanoTime() > deadline) {
                if (abortOnTimeout) {
                    abort(jobId);
                }
                throw new SalesforceUnavailableException("Bulk API 2.0 ingest job " + jobId + " did not complete within "
                        + settings.timeout() + (abortOnTimeout ? " (aborted; the records it processed stay written)"
                        : " (still running; its results are read later)"), 0, List.of(), null);
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (abortOnTimeout) {
                    abort(jobId);
                }
                throw new SalesforceUnavailableException("Interrupted waiting for ingest job " + jobId, 0, List.of(), e);
            }
            wait = wait.multipliedBy(2).compareTo(settings.maxPoll()) > 0 ? settings.maxPoll() : wait.multipliedBy(2);
        }
    }

    private Outcome outcome(String jobId, Csv csv, JsonNode info) {
        String state = info.path("state").asText();
        SalesforceError error = state.equals("JobComplete") ? null : jobError(info.path("errorMessage").asText(state));
        return new Outcome(jobId, state, error, results(jobId, csv, info));
    }

    /** A job's errorMessage ({@code InvalidBatch : Field name not found : X}) with its leading code, when it has one. */
    static SalesforceError jobError(String errorMessage) {
        Matcher m = CODE.matcher(errorMessage);
        return m.matches() ? new SalesforceError(m.group(1), m.group(2), List.of()) : new SalesforceError(null, errorMessage, List.of());
    }

    /**
     * Each record's result (null where none was reported). A results file is read only when the
     * job's counters say it has rows (both when they are absent).
     */
    private List<WriteResult> results(String jobId, Csv csv, JsonNode info) {
        boolean counted = info.hasNonNull("numberRecordsProcessed") && info.hasNonNull("numberRecordsFailed");
        long processed = info.path("numberRecordsProcessed").asLong();
        long failed = info.path("numberRecordsFailed").asLong();
        Map<List<String>, Deque<WriteResult>> byRecord = new HashMap<>();
        if (!counted || processed > failed) {
            for (Map<String, String> row : resultRows(jobId, "successfulResults")) {
                WriteResult r = new WriteResult(true, row.get("sf__Id"), Boolean.parseBoolean(row.get("sf__Created")), List.of());
                byRecord.computeIfAbsent(csv.key(row), k -> new ArrayDeque<>()).add(r);
            }
        }
        if (!counted || failed > 0) {
            for (Map<String, String> row : resultRows(jobId, "failedResults")) {
                String id = row.get("sf__Id");
                WriteResult r = new WriteResult(false, id == null || id.isEmpty() ? null : id, false,
                        List.of(recordError(row.get("sf__Error"))));
                byRecord.computeIfAbsent(csv.key(row), k -> new ArrayDeque<>()).add(r);
            }
        }
        List<WriteResult> out = new ArrayList<>(csv.rows().size());
        for (List<String> row : csv.rows()) {
            Deque<WriteResult> matches = byRecord.get(row);
            out.add(matches == null ? null : matches.poll());
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
            List<String> header = header(records);
            StringBuilder text = new StringBuilder();
            line(text, header);
            List<List<String>> rows = new ArrayList<>(records.size());
            for (Map<String, Object> r : records) {
                List<String> cells = cells(header, r);
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

        /** Every field any record names, in order of first appearance. */
        static List<String> header(List<Map<String, Object>> records) {
            Set<String> columns = new LinkedHashSet<>();
            records.forEach(r -> columns.addAll(r.keySet()));
            List<String> header = new ArrayList<>(columns);
            for (String c : header) {
                if (!COLUMN.matcher(c).matches()) {
                    throw new IllegalArgumentException("Not a Salesforce field name: '" + c + "'");
                }
            }
            return header;
        }

        static List<String> cells(List<String> header, Map<String, Object> record) {
            List<String> cells = new ArrayList<>(header.size());
            for (String c : header) {
                cells.add(record.containsKey(c) ? cell(record.get(c)) : "");
            }
            return cells;
        }

        static long lineBytes(List<String> cells) {
            StringBuilder text = new StringBuilder();
            line(text, cells);
            return text.toString().getBytes(StandardCharsets.UTF_8).length;
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
            // An empty cell would leave the field as it is; Salesforce stores empty text as null.
            if (v == null || "".equals(v)) {
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
