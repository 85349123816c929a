package sync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ColumnDelimiterEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ContentTypeEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.LineEndingEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a SOQL query as a Bulk API 2.0 query job through camel-salesforce's {@code bulk2*}
 * operations: create the job ({@code queryAll} when deletions must be seen), poll its state with
 * a growing delay until {@code JobComplete} (a {@code Failed} or {@code Aborted} job, or one that
 * outlives the timeout, is a {@link BulkQueryException} naming the job and Salesforce's
 * {@code errorMessage}), then read the CSV results page by page through {@code Sforce-Locator},
 * handing each page to the consumer before the next is fetched, and finally delete the job.
 *
 * <p>Values come back as in the CSV: strings, with two conversions — an empty value is null (Bulk
 * API's CSV has no other way to write null, and Salesforce stores no empty strings) and
 * {@code IsDeleted} is a {@link Boolean}. Numbers, booleans, dates and datetimes stay text;
 * {@link sync.mapping.ValueConverter} parses them into their PostgreSQL types as it does for the
 * other sources.
 *
 * <p>Transient failures of the read-only calls (state polls and result pages: HTTP 5xx or a
 * transport error) are retried a few times with backoff, so one 503 does not fail a resync of
 * millions of records. Creating the job is not retried: its errors (an unknown field, an
 * unsupported query) are permanent and reported at once.
 */
public final class BulkQueryReader {
    private static final Logger LOG = Logger.getLogger(BulkQueryReader.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param pageSize     records per results request ({@code maxRecords})
     * @param firstPoll    delay before the first state poll; doubles after each poll that finds the job running
     * @param maxPoll      the largest delay between two polls
     * @param timeout      how long a job may take to complete before it is aborted and the read fails
     * @param retries      attempts after the first for a state poll or a results page failing transiently
     * @param retryBackoff the delay before the first retry (doubles after each)
     */
    public record Settings(int pageSize, Duration firstPoll, Duration maxPoll, Duration timeout, int retries,
                           Duration retryBackoff) {
        public Settings {
            if (pageSize <= 0) {
                throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
            }
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative: " + retries);
            }
        }

        public static Settings defaults() {
            return new Settings(10_000, Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofMinutes(30), 3,
                    Duration.ofSeconds(1));
        }

        public Settings withTimeout(Duration t) {
            return new Settings(pageSize, firstPoll, maxPoll, t, retries, retryBackoff);
        }

        public Settings withPageSize(int n) {
            return new Settings(n, firstPoll, maxPoll, timeout, retries, retryBackoff);
        }

        public Settings withPolling(Duration first, Duration max) {
            return new Settings(pageSize, first, max, timeout, retries, retryBackoff);
        }

        public Settings withRetries(int n, Duration backoff) {
            return new Settings(pageSize, firstPoll, maxPoll, timeout, n, backoff);
        }
    }

    /** A Bulk API 2.0 query job that could not be created, failed, was aborted or timed out. */
    public static final class BulkQueryException extends RuntimeException {
        private final String jobId;

        public BulkQueryException(String jobId, String message, Throwable cause) {
            super(message, cause);
            this.jobId = jobId;
        }

        /** The job's Id, or null when the job could not be created. */
        public String jobId() {
            return jobId;
        }
    }

    /** What a state poll saw. {@code errorMessage} is Salesforce's, for Failed and Aborted jobs. */
    record JobStatus(JobStateEnum state, String errorMessage) {
    }

    /** Sleeps; replaced in tests. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final ProducerTemplate template;
    private final Settings settings;
    private final Sleeper sleeper;

    public BulkQueryReader(ProducerTemplate template) {
        this(template, Settings.defaults());
    }

    public BulkQueryReader(ProducerTemplate template, Settings settings) {
        this(template, settings, d -> Thread.sleep(d.toMillis()));
    }

    BulkQueryReader(ProducerTemplate template, Settings settings, Sleeper sleeper) {
        this.template = template;
        this.settings = settings;
        this.sleeper = sleeper;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Runs {@code soql} as a query job ({@code queryAll} when {@code includeDeleted}) and hands its
     * records over page by page, in the order of the results. Returns the number of records read.
     */
    public long query(String soql, boolean includeDeleted, Consumer<List<Map<String, Object>>> page) {
        String jobId = create(soql, includeDeleted);
        long started = System.nanoTime();
        try {
            awaitCompletion(jobId, this::status);
            long count = 0;
            String locator = null;
            int pages = 0;
            do {
                ResultPage p = results(jobId, locator);
                pages++;
                if (!p.records.isEmpty()) {
                    count += p.records.size();
                    page.accept(p.records);
                }
                locator = p.nextLocator;
            } while (locator != null);
            LOG.debugf("bulk query job %s: %d records in %d pages, %.1f s", jobId, count, pages,
                    (System.nanoTime() - started) / 1e9);
            return count;
        } finally {
            delete(jobId);
        }
    }

    // ------------------------------------------------------------------ job lifecycle

    private String create(String soql, boolean includeDeleted) {
        QueryJob job = new QueryJob();
        job.setOperation(includeDeleted ? OperationEnum.QUERY_ALL : OperationEnum.QUERY);
        job.setQuery(soql);
        job.setContentType(ContentTypeEnum.CSV);
        job.setColumnDelimiter(ColumnDelimiterEnum.COMMA);
        job.setLineEnding(LineEndingEnum.LF);
        Exchange e = template.request("salesforce:bulk2CreateQueryJob", x -> x.getIn().setBody(job));
        if (e.getException() != null) {
            throw new BulkQueryException(null, "Bulk API 2.0 query job could not be created: " + describe(e.getException())
                    + " (query: " + abbreviate(soql) + ")", e.getException());
        }
        QueryJob created = e.getMessage().getBody(QueryJob.class);
        if (created == null || created.getId() == null) {
            throw new BulkQueryException(null, "Bulk API 2.0 query job creation returned no job (query: "
                    + abbreviate(soql) + ")", null);
        }
        LOG.debugf("bulk query job %s created (%s): %s", created.getId(), job.getOperation(), abbreviate(soql));
        return created.getId();
    }

    /**
     * Polls until the job is complete, waiting {@code firstPoll}, then twice as long each time up
     * to {@code maxPoll}. Failed / Aborted and the timeout are {@link BulkQueryException}s.
     */
    void awaitCompletion(String jobId, Function<String, JobStatus> poll) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Duration delay = settings.firstPoll();
        JobStatus s = poll.apply(jobId);
        while (true) {
            if (s.state() == JobStateEnum.JOB_COMPLETE) {
                return;
            }
            if (s.state() == JobStateEnum.FAILED || s.state() == JobStateEnum.ABORTED) {
                throw new BulkQueryException(jobId, "Bulk API 2.0 query job " + jobId + " "
                        + (s.state() == JobStateEnum.FAILED ? "failed" : "was aborted") + ": "
                        + (s.errorMessage() == null || s.errorMessage().isBlank() ? "(Salesforce gave no errorMessage)" : s.errorMessage()),
                        null);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                abort(jobId);
                throw new BulkQueryException(jobId, "Bulk API 2.0 query job " + jobId + " did not complete within "
                        + settings.timeout() + " (last state " + s.state() + "); it was aborted", null);
            }
            sleep(Duration.ofNanos(Math.min(delay.toNanos(), left)));
            delay = delay.multipliedBy(2);
            if (delay.compareTo(settings.maxPoll()) > 0) {
                delay = settings.maxPoll();
            }
            s = poll.apply(jobId);
        }
    }

    private JobStatus status(String jobId) {
        Exchange e = retrying("state of query job " + jobId, () -> template.request("salesforce:bulk2GetQueryJob",
                x -> x.getIn().setHeader(SalesforceEndpointConfig.JOB_ID, jobId)));
        QueryJob job = e.getMessage().getBody(QueryJob.class);
        if (job == null || job.getState() == null) {
            throw new BulkQueryException(jobId, "Bulk API 2.0 query job " + jobId + ": no state in the job information", null);
        }
        JobStateEnum state = job.getState();
        if (state == JobStateEnum.FAILED || state == JobStateEnum.ABORTED) {
            // camel-salesforce's QueryJob has no errorMessage property: read the job's JSON itself.
            return new JobStatus(state, errorMessage(jobId));
        }
        return new JobStatus(state, null);
    }

    /** The job's errorMessage, read raw; best effort (null when it cannot be read). */
    String errorMessage(String jobId) {
        try {
            String version = template.getCamelContext().getComponent("salesforce", SalesforceComponent.class).getConfig()
                    .getApiVersion();
            Exchange e = template.request("salesforce:raw?format=JSON", x -> {
                x.getIn().setHeader(SalesforceEndpointConfig.RAW_PATH, "/services/data/v" + version + "/jobs/query/" + jobId);
                x.getIn().setHeader(SalesforceEndpointConfig.RAW_METHOD, "GET");
            });
            if (e.getException() != null) {
                LOG.debugf("cannot read errorMessage of query job %s: %s", jobId, describe(e.getException()));
                return null;
            }
            JsonNode info = readJson(e.getMessage().getBody());
            return info.hasNonNull("errorMessage") ? info.get("errorMessage").asText() : null;
        } catch (RuntimeException ex) {
            LOG.debugf("cannot read errorMessage of query job %s: %s", jobId, ex.getMessage());
            return null;
        }
    }

    private void abort(String jobId) {
        Exchange e = template.request("salesforce:bulk2AbortQueryJob",
                x -> x.getIn().setHeader(SalesforceEndpointConfig.JOB_ID, jobId));
        if (e.getException() != null) {
            LOG.warnf("cannot abort Bulk API 2.0 query job %s: %s", jobId, describe(e.getException()));
        }
    }

    private void delete(String jobId) {
        Exchange e = template.request("salesforce:bulk2DeleteQueryJob",
                x -> x.getIn().setHeader(SalesforceEndpointConfig.JOB_ID, jobId));
        if (e.getException() != null) {
            LOG.debugf("cannot delete Bulk API 2.0 query job %s (Salesforce removes it after 7 days): %s", jobId,
                    describe(e.getException()));
        }
    }

    // ------------------------------------------------------------------ results

    private record ResultPage(List<Map<String, Object>> records, String nextLocator) {
    }

    private ResultPage results(String jobId, String locator) {
        Exchange e = retrying("results of query job " + jobId, () -> template.request("salesforce:bulk2GetQueryJobResults", x -> {
            x.getIn().setHeader(SalesforceEndpointConfig.JOB_ID, jobId);
            x.getIn().setHeader(SalesforceEndpointConfig.MAX_RECORDS, settings.pageSize());
            if (locator != null) {
                x.getIn().setHeader(SalesforceEndpointConfig.LOCATOR, locator);
            }
        }));
        List<Map<String, Object>> records;
        try (Reader in = reader(e.getMessage().getBody())) {
            records = records(in);
        } catch (IOException ex) {
            throw new UncheckedIOException("Unreadable results of Bulk API 2.0 query job " + jobId, ex);
        }
        Object next = e.getMessage().getHeader("Sforce-Locator");
        String nextLocator = next == null || next.toString().isBlank() || next.toString().equals("null") ? null : next.toString();
        return new ResultPage(records, nextLocator);
    }

    /** Reads a results CSV: a header row of field names, then one record per row. */
    static List<Map<String, Object>> records(Reader in) throws IOException {
        CsvRows rows = new CsvRows(in);
        List<String> header = rows.next();
        List<Map<String, Object>> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        List<String> row;
        while ((row = rows.next()) != null) {
            if (row.size() != header.size()) {
                throw new IOException("a results row has " + row.size() + " values, the header has " + header.size());
            }
            Map<String, Object> r = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                r.put(header.get(i), value(header.get(i), row.get(i)));
            }
            out.add(r);
        }
        return out;
    }

    private static Object value(String field, String csv) {
        if (csv == null || csv.isEmpty()) {
            return null;
        }
        if (field.equals("IsDeleted")) {
            return Boolean.parseBoolean(csv.trim());
        }
        return csv;
    }

    /**
     * RFC 4180 records from a reader, one at a time: ',' between values, LF or CRLF after a
     * record, values in double quotes may hold commas, line breaks and doubled quotes. A byte
     * order mark is skipped, blank lines too.
     */
    static final class CsvRows {
        private final Reader in;
        private int peeked = -2;

        CsvRows(Reader in) {
            this.in = in instanceof BufferedReader ? in : new BufferedReader(in, 64 * 1024);
        }

        private int read() throws IOException {
            if (peeked != -2) {
                int c = peeked;
                peeked = -2;
                return c;
            }
            return in.read();
        }

        private int peek() throws IOException {
            if (peeked == -2) {
                peeked = in.read();
            }
            return peeked;
        }

        /** The next record, or null at the end. */
        List<String> next() throws IOException {
            int c = read();
            if (c == '\uFEFF') {
                c = read();
            }
            while (c == '\n' || c == '\r') {
                c = read();
            }
            if (c == -1) {
                return null;
            }
            List<String> values = new ArrayList<>();
            StringBuilder v = new StringBuilder();
            while (true) {
                if (c == '"' && v.isEmpty()) {
                    while (true) {
                        int q = read();
                        if (q == -1) {
                            throw new IOException("a quoted value is never closed");
                        }
                        if (q == '"') {
                            if (peek() == '"') {
                                read();
                                v.append('"');
                                continue;
                            }
                            break;
                        }
                        v.append((char) q);
                    }
                    c = read();
                    if (c != ',' && c != '\n' && c != '\r' && c != -1) {
                        throw new IOException("unexpected '" + (char) c + "' after a closing quote");
                    }
                    continue;
                }
                if (c == ',') {
                    values.add(v.toString());
                    v.setLength(0);
                    c = read();
                    continue;
                }
                if (c == '\r' || c == '\n' || c == -1) {
                    if (c == '\r' && peek() == '\n') {
                        read();
                    }
                    values.add(v.toString());
                    return values;
                }
                v.append((char) c);
                c = read();
            }
        }
    }

    // ------------------------------------------------------------------ plumbing

    private interface Call {
        Exchange run();
    }

    /** Runs a read-only call, retrying transient failures; throws the last failure. */
    private Exchange retrying(String what, Call call) {
        Duration backoff = settings.retryBackoff();
        for (int attempt = 0; ; attempt++) {
            Exchange e = call.run();
            Exception ex = e.getException();
            if (ex == null) {
                return e;
            }
            if (attempt >= settings.retries() || !transient_(ex)) {
                throw new BulkQueryException(null, "Bulk API 2.0: cannot read the " + what + ": " + describe(ex), ex);
            }
            LOG.warnf("Bulk API 2.0: reading the %s failed (%s); retrying in %s", what, describe(ex), backoff);
            sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
    }

    private static boolean transient_(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SalesforceException se) {
                return se.getStatusCode() >= 500 || se.getStatusCode() == 0;
            }
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private void sleep(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a Bulk API 2.0 query job", e);
        }
    }

    /** Salesforce's error codes and messages when there are any, else the exception's message. */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SalesforceException se && se.getErrors() != null && !se.getErrors().isEmpty()) {
                StringBuilder s = new StringBuilder();
                for (RestError err : se.getErrors()) {
                    s.append(s.isEmpty() ? "" : "; ").append(err.getErrorCode()).append(": ").append(err.getMessage());
                }
                return s + " (HTTP " + se.getStatusCode() + ")";
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static Reader reader(Object body) {
        if (body instanceof InputStream in) {
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }
        if (body instanceof byte[] b) {
            return new StringReader(new String(b, StandardCharsets.UTF_8));
        }
        return new StringReader(body == null ? "" : body.toString());
    }

    private static JsonNode readJson(Object body) {
        try (Reader r = reader(body)) {
            return JSON.readTree(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
