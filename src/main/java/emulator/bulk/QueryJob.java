package emulator.bulk;

import emulator.model.Values;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Bulk API 2.0 query job. The query runs when the job is created and its rows are kept
 * (a snapshot, as Salesforce's result files are); the create response reports UploadComplete
 * and every later look at the job sees JobComplete.
 */
final class QueryJob {
    final String id;
    final String operation;
    final String object;
    final String query;
    final String columnDelimiter;
    final char delimiter;
    final String lineEnding;
    final String apiVersion;
    final String createdById;
    final Instant createdDate;
    /** Column names in SELECT order. */
    final List<String> columns;
    /** Rendered CSV values; null = null. */
    final List<String[]> rows;
    final long processingMillis;

    // Guarded by this.
    String state = "JobComplete";
    Instant systemModstamp;

    QueryJob(String id, String operation, String object, String query, String columnDelimiter, String lineEnding,
             String apiVersion, String createdById, Instant now, List<String> columns, List<String[]> rows, long processingMillis) {
        this.id = id;
        this.operation = operation;
        this.object = object;
        this.query = query;
        this.columnDelimiter = columnDelimiter;
        this.delimiter = Csv.delimiter(columnDelimiter);
        this.lineEnding = lineEnding;
        this.apiVersion = apiVersion;
        this.createdById = createdById;
        this.createdDate = now.truncatedTo(ChronoUnit.SECONDS);
        this.systemModstamp = createdDate;
        this.columns = columns;
        this.rows = rows;
        this.processingMillis = processingMillis;
    }

    synchronized String state() {
        return state;
    }

    enum Shape { CREATE, INFO }

    /**
     * Job JSON. Only keys Camel's QueryJob DTO knows (it fails on unknown properties), which are
     * also the keys of Salesforce's documented examples.
     */
    synchronized Map<String, Object> json(Shape shape) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", id);
        j.put("operation", operation);
        j.put("object", object);
        j.put("createdById", createdById);
        j.put("createdDate", Values.REST_DATETIME.format(createdDate));
        j.put("systemModstamp", Values.REST_DATETIME.format(systemModstamp));
        j.put("state", shape == Shape.CREATE ? "UploadComplete" : state);
        j.put("concurrencyMode", "Parallel");
        j.put("contentType", "CSV");
        j.put("apiVersion", new BigDecimal(apiVersion));
        if (shape == Shape.INFO) {
            j.put("jobType", "V2Query");
        }
        j.put("lineEnding", lineEnding);
        j.put("columnDelimiter", columnDelimiter);
        if (shape == Shape.INFO) {
            j.put("numberRecordsProcessed", state.equals("JobComplete") ? rows.size() : 0);
            j.put("retries", 0);
            j.put("totalProcessingTime", processingMillis);
        }
        return j;
    }
}
