package emulator.bulk;

import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.Values;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One Bulk API 2.0 ingest job: its definition, uploaded data, state and per-record results. */
final class IngestJob {
    final String id;
    final String operation;
    final ObjectDef object;
    final FieldDef externalIdField;
    final String assignmentRuleId;
    final String columnDelimiter;
    final char delimiter;
    final String lineEnding;
    final String apiVersion;
    final String createdById;
    final Instant createdDate;
    final String client;

    // Guarded by this.
    String state = "Open";
    Instant systemModstamp;
    String errorMessage;
    final List<byte[]> uploads = new ArrayList<>();
    /** Column names of the first upload, as uploaded: the original columns of every result file. */
    List<String> header;
    final List<List<String>> successful = new ArrayList<>();
    final List<List<String>> failed = new ArrayList<>();
    final List<List<String>> unprocessed = new ArrayList<>();
    long processed;
    long failures;
    long processingMillis;
    boolean deleted;

    IngestJob(String id, String operation, ObjectDef object, FieldDef externalIdField, String assignmentRuleId,
              String columnDelimiter, String lineEnding, String apiVersion, String createdById, Instant now, String client) {
        this.id = id;
        this.operation = operation;
        this.object = object;
        this.externalIdField = externalIdField;
        this.assignmentRuleId = assignmentRuleId;
        this.columnDelimiter = columnDelimiter;
        this.delimiter = Csv.delimiter(columnDelimiter);
        this.lineEnding = lineEnding;
        this.apiVersion = apiVersion;
        this.createdById = createdById;
        this.createdDate = now.truncatedTo(ChronoUnit.SECONDS);
        this.systemModstamp = createdDate;
        this.client = client;
    }

    synchronized void setState(String newState, Instant now) {
        state = newState;
        systemModstamp = now.truncatedTo(ChronoUnit.SECONDS);
    }

    synchronized String state() {
        return state;
    }

    boolean terminal() {
        return switch (state()) {
            case "JobComplete", "Failed", "Aborted" -> true;
            default -> false;
        };
    }

    String contentUrl() {
        return "services/data/v" + apiVersion + "/jobs/ingest/" + id + "/batches";
    }

    /** The shapes Salesforce answers with: create, close/abort, and job info (also used by the list). */
    enum Shape { CREATE, STATE, INFO }

    synchronized Map<String, Object> json(Shape shape) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", id);
        j.put("operation", operation);
        j.put("object", object.name());
        j.put("createdById", createdById);
        j.put("createdDate", Values.REST_DATETIME.format(createdDate));
        j.put("systemModstamp", Values.REST_DATETIME.format(systemModstamp));
        j.put("state", state);
        if (externalIdField != null) {
            j.put("externalIdFieldName", externalIdField.name());
        }
        if (assignmentRuleId != null) {
            j.put("assignmentRuleId", assignmentRuleId);
        }
        j.put("concurrencyMode", "Parallel");
        j.put("contentType", "CSV");
        j.put("apiVersion", new BigDecimal(apiVersion));
        if (shape == Shape.STATE) {
            return j;
        }
        if (shape == Shape.INFO) {
            j.put("jobType", "V2Ingest");
        }
        if (state.equals("Open")) {
            j.put("contentUrl", contentUrl());
        }
        j.put("lineEnding", lineEnding);
        j.put("columnDelimiter", columnDelimiter);
        if (shape == Shape.INFO) {
            j.put("numberRecordsProcessed", processed);
            j.put("numberRecordsFailed", failures);
            j.put("retries", 0);
            j.put("totalProcessingTime", processingMillis);
            j.put("apiActiveProcessingTime", processingMillis);
            j.put("apexProcessingTime", 0);
            if (errorMessage != null) {
                j.put("errorMessage", errorMessage);
            }
        }
        return j;
    }
}
