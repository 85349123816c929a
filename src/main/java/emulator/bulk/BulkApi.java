package emulator.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.SalesforceEmulator;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.SalesforceIds;
import emulator.model.Values;
import emulator.soql.FieldTypes;
import emulator.soql.Soql;
import emulator.soql.SoqlException;
import emulator.soql.SoqlQuery;
import emulator.store.WriteContext;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bulk API 2.0 ({@code /jobs/ingest}, {@code /jobs/query}).
 *
 * <p>Ingest: create (state Open) -> PUT CSV to {@code batches} (201) -> PATCH UploadComplete,
 * after which a background worker moves the job InProgress -> JobComplete (or Failed) and
 * fills successfulResults / failedResults / unprocessedrecords. Query: the SOQL runs when the
 * job is created; results are paged with {@code Sforce-Locator} (literal {@code null} on the
 * last page). Errors use the REST envelope; job-state conflicts are 400 INVALIDJOBSTATE.
 */
public final class BulkApi {
    static final int DEFAULT_MAX_RECORDS = 50_000;
    private static final List<String> OPERATIONS = List.of("insert", "update", "upsert", "delete", "hardDelete");
    private static final List<String> DELIMITERS = List.of("BACKQUOTE", "CARET", "COMMA", "PIPE", "SEMICOLON", "TAB");

    private final SalesforceEmulator org;
    private final IngestProcessor processor;
    private final Map<String, IngestJob> ingestJobs = new LinkedHashMap<>();
    private final Map<String, QueryJob> queryJobs = new LinkedHashMap<>();
    private final ExecutorService worker;

    public BulkApi(SalesforceEmulator org) {
        this.org = org;
        this.processor = new IngestProcessor(org);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sf-emulator-bulk");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.worker = pool;
    }

    /** {@code seg} = path segments after the version, starting with "jobs". */
    public Response handle(Request request, String method, String[] seg, String version, WriteContext ctx) {
        if (seg.length < 2) {
            throw ApiException.notFound();
        }
        double v = Double.parseDouble(version);
        return switch (seg[1]) {
            case "ingest" -> {
                if (v < 41.0) {
                    throw ApiException.notFound();
                }
                yield ingest(request, method, seg, version, ctx);
            }
            case "query" -> {
                if (v < 47.0) {
                    throw ApiException.notFound();
                }
                yield query(request, method, seg, version, ctx);
            }
            default -> throw ApiException.notFound();
        };
    }

    /** Counter/fault key, e.g. bulk.ingest.create, bulk.query.results (must start with "bulk."). */
    public static String endpointKey(String method, String[] seg) {
        if (seg.length < 2 || !(seg[1].equals("ingest") || seg[1].equals("query"))) {
            return "bulk.other";
        }
        String kind = "bulk." + seg[1] + ".";
        if (seg.length == 2) {
            return kind + (method.equals("POST") ? "create" : "list");
        }
        if (seg.length == 3) {
            return kind + switch (method) {
                case "PATCH" -> "state";
                case "DELETE" -> "delete";
                default -> "info";
            };
        }
        if (seg.length == 4 && seg[3].equals("batches")) {
            return kind + "upload";
        }
        return kind + "results";
    }

    // ------------------------------------------------------------------ ingest

    private Response ingest(Request request, String method, String[] seg, String version, WriteContext ctx) {
        if (seg.length == 2) {
            return switch (method) {
                case "POST" -> createIngest(request, version, ctx);
                case "GET" -> list(ingestJobs);
                default -> throw methodNotAllowed(method, "GET,POST");
            };
        }
        IngestJob job = ingestJob(seg[2]);
        if (seg.length == 3) {
            return switch (method) {
                case "GET" -> Response.json(200, job.json(IngestJob.Shape.INFO));
                case "PATCH" -> changeIngestState(request, job, ctx);
                case "DELETE" -> deleteIngest(job);
                default -> throw methodNotAllowed(method, "GET,PATCH,DELETE");
            };
        }
        if (seg.length == 4) {
            String resource = seg[3];
            if (resource.equals("batches")) {
                if (!method.equals("PUT")) {
                    throw methodNotAllowed(method, "PUT");
                }
                return upload(request, job);
            }
            switch (resource.toLowerCase(Locale.ROOT)) {
                case "successfulresults", "failedresults", "unprocessedrecords" -> {
                    if (!method.equals("GET")) {
                        throw methodNotAllowed(method, "GET");
                    }
                    return ingestResults(job, resource.toLowerCase(Locale.ROOT));
                }
                default -> throw ApiException.notFound();
            }
        }
        throw ApiException.notFound();
    }

    private Response createIngest(Request request, String version, WriteContext ctx) {
        JsonNode body = Json.parse(request.body());
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "The request body must be a JSON object");
        }
        String objectName = text(body, "object");
        if (objectName == null || objectName.isBlank()) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Object is required");
        }
        ObjectDef o = org.schema().object(objectName);
        if (o == null) {
            throw new ApiException(400, "INVALIDENTITY", "InvalidEntity : Unable to find object: " + objectName);
        }
        String operation = text(body, "operation");
        String op = operation == null ? null : OPERATIONS.stream().filter(x -> x.equalsIgnoreCase(operation)).findFirst().orElse(null);
        if (op == null) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Invalid operation: " + operation
                    + ". Valid operations are insert, update, upsert, delete and hardDelete");
        }
        String contentType = text(body, "contentType");
        if (contentType != null && !contentType.equalsIgnoreCase("CSV")) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Unsupported content type: " + contentType
                    + ". Only CSV is supported");
        }
        String delimiter = delimiter(body);
        String lineEnding = lineEnding(body);
        FieldDef ext = null;
        if (op.equals("upsert")) {
            String extName = text(body, "externalIdFieldName");
            if (extName == null || extName.isBlank()) {
                throw new ApiException(400, "INVALIDJOB", "InvalidJob : External ID was blank for " + o.name()
                        + ". An External ID must be specified for upsert.");
            }
            ext = o.field(extName);
            if (ext == null || !(ext.externalId() || ext.name().equals("Id"))) {
                throw new ApiException(400, "INVALIDJOB", "InvalidJob : Field name provided, " + extName
                        + " does not match an External ID, Salesforce Id, or indexed field for " + o.name());
            }
        }
        IngestJob job = new IngestJob(org.store().ids().next("750"), op, o, ext, text(body, "assignmentRuleId"),
                delimiter, lineEnding, version, ctx.userId(), org.clock().instant(), ctx.client());
        synchronized (ingestJobs) {
            ingestJobs.put(job.id, job);
        }
        return Response.json(200, job.json(IngestJob.Shape.CREATE));
    }

    private Response upload(Request request, IngestJob job) {
        synchronized (job) {
            if (!job.state.equals("Open")) {
                throw new ApiException(400, "INVALIDJOBSTATE", "Upload data is only allowed for a job in the Open state;"
                        + " job " + job.id + " is " + job.state);
            }
            job.uploads.add(request.body());
        }
        return Response.of(201, null, new byte[0]);
    }

    private Response changeIngestState(Request request, IngestJob job, WriteContext ctx) {
        String target = requestedState(request);
        synchronized (job) {
            switch (target) {
                case "UploadComplete" -> {
                    if (!job.state.equals("Open")) {
                        throw new ApiException(400, "INVALIDJOBSTATE", "Closing already " + shown(job.state) + " Job not allowed");
                    }
                    job.setState("UploadComplete", org.clock().instant());
                    WriteContext closing = ctx.client() == null && job.client != null
                            ? new WriteContext(ctx.userId(), ctx.api(), ctx.apiVersion(), job.client) : ctx;
                    worker.execute(() -> processor.run(job, closing));
                }
                case "Aborted" -> {
                    switch (job.state) {
                        case "Open", "UploadComplete" -> {
                            job.unprocessed.clear();
                            job.unprocessed.addAll(IngestProcessor.lenientRows(job));
                            job.setState("Aborted", org.clock().instant());
                        }
                        case "InProgress" -> job.setState("Aborted", org.clock().instant());
                        default -> throw new ApiException(400, "INVALIDJOBSTATE", "Aborting already " + shown(job.state)
                                + " Job not allowed");
                    }
                }
                default -> throw invalidTargetState(target);
            }
            return Response.json(200, job.json(IngestJob.Shape.STATE));
        }
    }

    private Response deleteIngest(IngestJob job) {
        synchronized (job) {
            switch (job.state) {
                case "UploadComplete", "JobComplete", "Aborted", "Failed" -> {
                    job.deleted = true;
                }
                default -> throw new ApiException(400, "INVALIDJOBSTATE", "Deleting a job in the " + job.state
                        + " state is not allowed; the job must be UploadComplete, JobComplete, Aborted or Failed");
            }
        }
        synchronized (ingestJobs) {
            ingestJobs.remove(job.id);
        }
        return Response.noContent();
    }

    private Response ingestResults(IngestJob job, String which) {
        synchronized (job) {
            String nl = Csv.lineSeparator(job.lineEnding);
            char d = job.delimiter;
            StringBuilder out = new StringBuilder();
            List<String> header = job.header == null ? List.of() : job.header;
            List<List<String>> rows;
            if (which.equals("unprocessedrecords")) {
                rows = job.unprocessed;
                appendHeader(out, header, d, false);
            } else {
                boolean ok = which.equals("successfulresults");
                rows = ok ? job.successful : job.failed;
                out.append(Csv.quote("sf__Id")).append(d).append(Csv.quote(ok ? "sf__Created" : "sf__Error"));
                appendHeader(out, header, d, true);
            }
            out.append(nl);
            for (List<String> row : rows) {
                for (int i = 0; i < row.size(); i++) {
                    if (i > 0) {
                        out.append(d);
                    }
                    out.append(Csv.quote(row.get(i)));
                }
                out.append(nl);
            }
            return Response.text(200, Response.CSV, out.toString());
        }
    }

    private static void appendHeader(StringBuilder out, List<String> header, char d, boolean leadingDelimiter) {
        for (int i = 0; i < header.size(); i++) {
            if (i > 0 || leadingDelimiter) {
                out.append(d);
            }
            out.append(Csv.quoteIfNeeded(header.get(i), d));
        }
    }

    private IngestJob ingestJob(String raw) {
        String id = SalesforceIds.normalize(Request.decode(raw));
        IngestJob job;
        synchronized (ingestJobs) {
            job = id == null ? null : ingestJobs.get(id);
        }
        if (job == null) {
            throw ApiException.notFound();
        }
        return job;
    }

    // ------------------------------------------------------------------ query

    private Response query(Request request, String method, String[] seg, String version, WriteContext ctx) {
        if (seg.length == 2) {
            return switch (method) {
                case "POST" -> createQuery(request, version, ctx);
                case "GET" -> list(queryJobs);
                default -> throw methodNotAllowed(method, "GET,POST");
            };
        }
        QueryJob job = queryJob(seg[2]);
        if (seg.length == 3) {
            return switch (method) {
                case "GET" -> Response.json(200, job.json(QueryJob.Shape.INFO));
                case "PATCH" -> {
                    String target = requestedState(request);
                    if (!target.equals("Aborted")) {
                        throw invalidTargetState(target);
                    }
                    // The query ran when the job was created: it is always complete by now.
                    throw new ApiException(400, "INVALIDJOBSTATE", "Aborting already " + shown(job.state()) + " Job not allowed");
                }
                case "DELETE" -> {
                    synchronized (queryJobs) {
                        queryJobs.remove(job.id);
                    }
                    yield Response.noContent();
                }
                default -> throw methodNotAllowed(method, "GET,PATCH,DELETE");
            };
        }
        if (seg.length == 4 && seg[3].equals("results")) {
            if (!method.equals("GET")) {
                throw methodNotAllowed(method, "GET");
            }
            return queryResults(request, job);
        }
        throw ApiException.notFound();
    }

    private Response createQuery(Request request, String version, WriteContext ctx) {
        long started = System.nanoTime();
        JsonNode body = Json.parse(request.body());
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "The request body must be a JSON object");
        }
        String operation = text(body, "operation");
        if (operation == null) {
            operation = "query";
        }
        if (!operation.equals("query") && !operation.equals("queryAll")) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Invalid operation: " + operation
                    + ". Valid operations are query and queryAll");
        }
        String soql = text(body, "query");
        if (soql == null || soql.isBlank()) {
            throw new ApiException(400, "MALFORMED_QUERY", "A query string has to be specified");
        }
        String contentType = text(body, "contentType");
        if (contentType != null && !contentType.equalsIgnoreCase("CSV")) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Unsupported content type: " + contentType
                    + ". Only CSV is supported");
        }
        String delimiter = delimiter(body);
        String lineEnding = lineEnding(body);
        ObjectDef o;
        List<FieldDef> selected = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        try {
            SoqlQuery q = Soql.parse(soql);
            o = org.schema().object(q.objectName());
            if (o == null) {
                throw q.unknownObjectError();
            }
            FieldTypes types = types(o);
            List<String> fields = q.validate(o.name(), types);
            if (q.countOnly()) {
                throw new ApiException(400, "FUNCTIONALITY_NOT_ENABLED", "Aggregate queries are not supported by Bulk API 2.0: COUNT()");
            }
            for (String f : fields) {
                FieldDef fd = o.field(f);
                if (fd.type().equals("address") || fd.type().equals("location")) {
                    throw new ApiException(400, "FUNCTIONALITY_NOT_ENABLED", "Selecting compound data not supported in Bulk Query: "
                            + fd.name());
                }
                selected.add(fd);
            }
            List<Map<String, Object>> matching = new ArrayList<>();
            List<Map<String, Object>> stored = new ArrayList<>();
            Map<Map<String, Object>, Map<String, Object>> byView = new java.util.IdentityHashMap<>();
            for (Map<String, Object> r : org.store().all(o, operation.equals("queryAll"))) {
                Map<String, Object> view = view(o, r);
                if (q.matches(view, types, org.clock())) {
                    matching.add(view);
                    byView.put(view, r);
                }
            }
            matching.sort(q.comparator(types));
            if (q.limit().isPresent() && matching.size() > q.limit().getAsInt()) {
                matching = matching.subList(0, q.limit().getAsInt());
            }
            for (Map<String, Object> view : matching) {
                stored.add(byView.get(view));
            }
            for (Map<String, Object> r : stored) {
                String[] row = new String[selected.size()];
                for (int i = 0; i < selected.size(); i++) {
                    row[i] = csvValue(o, selected.get(i), r);
                }
                rows.add(row);
            }
        } catch (SoqlException e) {
            throw new ApiException(400, e.errorCode(), e.getMessage());
        }
        List<String> columns = selected.stream().map(FieldDef::name).toList();
        QueryJob job = new QueryJob(org.store().ids().next("750"), operation, o.name(), soql, delimiter, lineEnding,
                version, ctx.userId(), org.clock().instant(), columns, rows, (System.nanoTime() - started) / 1_000_000);
        synchronized (queryJobs) {
            queryJobs.put(job.id, job);
        }
        return Response.json(200, job.json(QueryJob.Shape.CREATE));
    }

    private Response queryResults(Request request, QueryJob job) {
        int offset = 0;
        String locator = request.param("locator");
        if (locator != null && !locator.isEmpty() && !locator.equals("null")) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(locator), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                offset = -1;
            }
            if (offset < 0 || offset > job.rows.size()) {
                throw new ApiException(400, "INVALID_QUERY_LOCATOR", "Invalid locator: " + locator);
            }
        }
        int max = DEFAULT_MAX_RECORDS;
        String maxParam = request.param("maxRecords");
        if (maxParam != null && !maxParam.isEmpty()) {
            try {
                max = Integer.parseInt(maxParam.trim());
            } catch (NumberFormatException e) {
                max = 0;
            }
            if (max <= 0) {
                throw new ApiException(400, "INVALIDPARAMETER", "maxRecords must be a positive integer: " + maxParam);
            }
        }
        int end = (int) Math.min(job.rows.size(), (long) offset + max);
        String nl = Csv.lineSeparator(job.lineEnding);
        char d = job.delimiter;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < job.columns.size(); i++) {
            if (i > 0) {
                out.append(d);
            }
            out.append(Csv.quote(job.columns.get(i)));
        }
        out.append(nl);
        for (String[] row : job.rows.subList(offset, end)) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    out.append(d);
                }
                if (row[i] != null) {
                    out.append(Csv.quote(row[i]));
                }
            }
            out.append(nl);
        }
        String next = end < job.rows.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8))
                : "null";
        return Response.text(200, Response.CSV, out.toString())
                .header("Sforce-NumberOfRecords", Integer.toString(end - offset))
                .header("Sforce-Locator", next);
    }

    private QueryJob queryJob(String raw) {
        String id = SalesforceIds.normalize(Request.decode(raw));
        QueryJob job;
        synchronized (queryJobs) {
            job = id == null ? null : queryJobs.get(id);
        }
        if (job == null) {
            throw ApiException.notFound();
        }
        return job;
    }

    /** The record as the SOQL evaluator sees it (REST forms; Name of a person computed). */
    private static Map<String, Object> view(ObjectDef o, Map<String, Object> r) {
        Map<String, Object> view = new LinkedHashMap<>();
        for (FieldDef f : o.fields()) {
            if (f.type().equals("address")) {
                continue;
            }
            view.put(f.name(), f.isCompound() ? personName(r) : Values.toRest(r.get(f.name())));
        }
        return view;
    }

    private static String personName(Map<String, Object> r) {
        List<String> parts = new ArrayList<>();
        for (String key : new String[]{"FirstName", "MiddleName", "LastName", "Suffix"}) {
            Object v = r.get(key);
            if (v != null && !v.toString().isEmpty()) {
                parts.add(v.toString());
            }
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }

    /** Bulk CSV form of a stored value: datetimes {@code 2024-04-09T20:26:27.000Z}, null = null. */
    private static String csvValue(ObjectDef o, FieldDef f, Map<String, Object> r) {
        Object v = f.isCompound() ? personName(r) : r.get(f.name());
        if (v == null) {
            return null;
        }
        if (v instanceof Instant i) {
            return Values.CDC_DATETIME.format(i);
        }
        if (v instanceof BigDecimal b) {
            return b.toPlainString();
        }
        if (v instanceof LocalDate || v instanceof LocalTime) {
            return String.valueOf(Values.toRest(v));
        }
        return v.toString();
    }

    private static FieldTypes types(ObjectDef o) {
        return new FieldTypes() {
            @Override
            public String typeOf(String field) {
                FieldDef f = o.field(field);
                return f == null ? null : f.type();
            }

            @Override
            public String canonicalName(String field) {
                FieldDef f = o.field(field);
                return f == null ? null : f.name();
            }
        };
    }

    // ------------------------------------------------------------------ shared

    private static <J> Response list(Map<String, J> jobs) {
        List<Object> records = new ArrayList<>();
        synchronized (jobs) {
            for (J j : jobs.values()) {
                records.add(j instanceof IngestJob i ? i.json(IngestJob.Shape.INFO) : ((QueryJob) j).json(QueryJob.Shape.INFO));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("done", true);
        body.put("records", records);
        body.put("nextRecordsUrl", null);
        return Response.json(200, body);
    }

    private static String requestedState(Request request) {
        JsonNode body = Json.parse(request.body());
        String state = text(body, "state");
        if (state == null) {
            throw new ApiException(400, "INVALIDJOBSTATE", "InvalidJobState : state is required (UploadComplete or Aborted)");
        }
        return state;
    }

    private static ApiException invalidTargetState(String target) {
        return new ApiException(400, "INVALIDJOBSTATE", "InvalidJobState : Invalid job state transition to " + target
                + ". Use UploadComplete or Aborted");
    }

    /** "Completed" for JobComplete, as in Salesforce's "Aborting already Completed Job not allowed". */
    private static String shown(String state) {
        return state.equals("JobComplete") ? "Completed" : state;
    }

    private static String delimiter(JsonNode body) {
        String d = text(body, "columnDelimiter");
        if (d == null) {
            return "COMMA";
        }
        String up = d.toUpperCase(Locale.ROOT);
        if (!DELIMITERS.contains(up)) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Invalid columnDelimiter: " + d
                    + ". Valid values are BACKQUOTE, CARET, COMMA, PIPE, SEMICOLON and TAB");
        }
        return up;
    }

    private static String lineEnding(JsonNode body) {
        String l = text(body, "lineEnding");
        if (l == null) {
            return "LF";
        }
        String up = l.toUpperCase(Locale.ROOT);
        if (!up.equals("LF") && !up.equals("CRLF")) {
            throw new ApiException(400, "INVALIDJOB", "InvalidJob : Invalid lineEnding: " + l + ". Valid values are LF and CRLF");
        }
        return up;
    }

    private static String text(JsonNode body, String key) {
        JsonNode n = body.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static ApiException methodNotAllowed(String method, String allowed) {
        return new ApiException(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
    }
}
