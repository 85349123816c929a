package sync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;
import org.jboss.logging.Logger;
import sync.mapping.ValueConverter;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads records back from Salesforce through camel-salesforce's query operations: by Id (GAP
 * reconciliation, at most 200 Ids per query) and by modification time (resync, initial load;
 * Bulk API 2.0 query jobs for large sets, see {@link #since}), always with queryAll so deletions
 * are seen. Field and object names come from validated mappings; Ids are checked against
 * Salesforce's Id alphabet before they enter a query.
 */
public final class SalesforceReader {
    public static final int IDS_PER_QUERY = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-9]{3})?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    /** Records above which {@link #since} reads through Bulk API 2.0 unless told otherwise. */
    public static final long DEFAULT_BULK_THRESHOLD = 50_000;
    private static final Logger LOG = Logger.getLogger(SalesforceReader.class);
    /** SystemModstamp (unparseable last), then Id. */
    private static final Comparator<Map<String, Object>> SNAPSHOT_ORDER = Comparator
            .comparing((Map<String, Object> r) -> stamp(r), Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(r -> String.valueOf(r.get("Id")));

    private final ProducerTemplate template;
    private final long bulkThreshold;
    private final BulkQueryReader bulk;

    public SalesforceReader(ProducerTemplate template) {
        this(template, DEFAULT_BULK_THRESHOLD);
    }

    /** @param bulkThreshold records above which {@link #since} uses Bulk API 2.0; {@link Long#MAX_VALUE} never */
    public SalesforceReader(ProducerTemplate template, long bulkThreshold) {
        this(template, bulkThreshold, new BulkQueryReader(template));
    }

    public SalesforceReader(ProducerTemplate template, long bulkThreshold, BulkQueryReader bulk) {
        if (bulkThreshold < 0) {
            throw new IllegalArgumentException("bulk threshold must not be negative: " + bulkThreshold);
        }
        this.template = template;
        this.bulkThreshold = bulkThreshold;
        this.bulk = bulk;
    }

    /** The records with these Ids (deleted ones included, with IsDeleted = true). */
    public List<Map<String, Object>> byIds(String object, List<String> fields, List<String> ids) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += IDS_PER_QUERY) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + IDS_PER_QUERY));
            StringBuilder in = new StringBuilder();
            for (String id : chunk) {
                if (!ID.matcher(id).matches()) {
                    throw new IllegalArgumentException("Not a Salesforce Id: '" + id + "'");
                }
                in.append(in.isEmpty() ? "" : ",").append('\'').append(id).append('\'');
            }
            pages(select(object, fields) + " WHERE Id IN (" + in + ")", out::addAll);
        }
        return out;
    }

    /**
     * Every record modified at or after {@code watermark} (all records when null), deleted ones
     * included (IsDeleted = true), oldest first, handed over page by page. Returns the number of
     * records read.
     *
     * <p>The records are counted first ({@code SELECT COUNT()} through queryAll, with the same
     * filter); more than the bulk threshold are read through a Bulk API 2.0 queryAll job (pages of
     * {@link BulkQueryReader.Settings#pageSize()} records, CSV values as strings, see
     * {@link BulkQueryReader}), fewer through REST query paging (JSON values). Either way the
     * records come ordered by SystemModstamp, then Id, so the last record of a page is a safe
     * watermark to resume from: the Bulk query keeps its ORDER BY although it costs Salesforce
     * PK chunking, because a resync's progress is only resumable when the order holds (each page
     * is also sorted here, and a page that goes back in time is logged).
     */
    public long since(String object, List<String> fields, Instant watermark, Consumer<List<Map<String, Object>>> page) {
        String where = watermark == null ? "" : " WHERE SystemModstamp >= " + ValueConverter.toSalesforce("datetime", watermark);
        String soql = select(object, fields) + where + " ORDER BY SystemModstamp, Id";
        long[] count = {0};
        if (useBulk(object, where)) {
            Instant[] last = {null};
            boolean[] warned = {false};
            bulk.query(soql, true, records -> {
                records.sort(SNAPSHOT_ORDER);
                Instant first = stamp(records.get(0));
                if (last[0] != null && first != null && first.isBefore(last[0]) && !warned[0]) {
                    warned[0] = true;
                    LOG.warnf("%s: Bulk API 2.0 results are not in SystemModstamp order (%s after %s); an interrupted "
                            + "resync of this object may resume from too late a watermark", object, first, last[0]);
                }
                Instant end = stamp(records.get(records.size() - 1));
                if (end != null && (last[0] == null || end.isAfter(last[0]))) {
                    last[0] = end;
                }
                count[0] += records.size();
                page.accept(records);
            });
            return count[0];
        }
        pages(soql, records -> {
            count[0] += records.size();
            page.accept(records);
        });
        return count[0];
    }

    /** The number of live records of an object. */
    public long count(String object) {
        JsonNode reply = call("salesforce:query", "SELECT COUNT() FROM " + name(object));
        return reply.path("totalSize").asLong();
    }

    /**
     * The number of records {@link #since} would read: modified at or after {@code watermark}
     * (all when null), deleted ones included.
     */
    public long count(String object, Instant watermark) {
        String where = watermark == null ? "" : " WHERE SystemModstamp >= " + ValueConverter.toSalesforce("datetime", watermark);
        return countAll(object, where);
    }

    /** Records above which {@link #since} reads through Bulk API 2.0. */
    public long bulkThreshold() {
        return bulkThreshold;
    }

    private long countAll(String object, String where) {
        JsonNode reply = call("salesforce:queryAll", "SELECT COUNT() FROM " + name(object) + where);
        return reply.path("totalSize").asLong();
    }

    private boolean useBulk(String object, String where) {
        if (bulkThreshold == Long.MAX_VALUE) {
            return false;
        }
        long expected;
        try {
            expected = countAll(object, where);
        } catch (RuntimeException e) {
            // A count that fails is most often one that timed out on a very large object.
            LOG.warnf("%s: cannot count the records to read (%s); reading them through Bulk API 2.0", object, e.getMessage());
            return true;
        }
        boolean useBulk = expected > bulkThreshold;
        LOG.debugf("%s: %d records to read%s, through %s", object, expected, where, useBulk ? "Bulk API 2.0" : "REST query paging");
        return useBulk;
    }

    private static Instant stamp(Map<String, Object> record) {
        Object s = record.get("SystemModstamp");
        if (s == null) {
            return null;
        }
        try {
            return ((OffsetDateTime) ValueConverter.toPostgres("datetime", "timestamp with time zone", s)).toInstant();
        } catch (DateTimeParseException | ValueConverter.ConversionException e) {
            return null;
        }
    }

    private void pages(String soql, Consumer<List<Map<String, Object>>> page) {
        JsonNode reply = call("salesforce:queryAll", soql);
        while (true) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (JsonNode r : reply.path("records")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = JSON.convertValue(r, Map.class);
                m.remove("attributes");
                records.add(m);
            }
            if (!records.isEmpty()) {
                page.accept(records);
            }
            if (reply.path("done").asBoolean(true) || !reply.hasNonNull("nextRecordsUrl")) {
                return;
            }
            reply = call("salesforce:queryMore", reply.get("nextRecordsUrl").asText());
        }
    }

    private JsonNode call(String uri, String query) {
        Object body = template.requestBodyAndHeader(uri + "?rawPayload=true", null, "sObjectQuery", query);
        return Describes.read(body, "query");
    }

    private static String select(String object, List<String> fields) {
        Set<String> names = new LinkedHashSet<>(List.of("Id", "IsDeleted", "SystemModstamp"));
        for (String f : fields) {
            names.add(name(f));
        }
        return "SELECT " + String.join(", ", names) + " FROM " + name(object);
    }

    private static String name(String n) {
        if (n == null || !NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("Not a Salesforce API name: '" + n + "'");
        }
        return n;
    }
}
