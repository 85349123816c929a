package sync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads records back from Salesforce through camel-salesforce's query operations: by Id (GAP
 * reconciliation, at most 200 Ids per query) and by modification time (resync, initial load),
 * always with queryAll so deletions are seen. Field and object names come from validated
 * mappings; Ids are checked against Salesforce's Id alphabet before they enter a query.
 */
public final class SalesforceReader {
    public static final int IDS_PER_QUERY = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-9]{3})?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final DateTimeFormatter SOQL_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final ProducerTemplate template;

    public SalesforceReader(ProducerTemplate template) {
        this.template = template;
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
     * Every record modified at or after {@code watermark} (all records when null), oldest first,
     * handed over page by page. Returns the number of records read.
     */
    public long since(String object, List<String> fields, Instant watermark, Consumer<List<Map<String, Object>>> page) {
        String where = watermark == null ? "" : " WHERE SystemModstamp >= " + SOQL_DATETIME.format(watermark);
        long[] count = {0};
        pages(select(object, fields) + where + " ORDER BY SystemModstamp, Id", records -> {
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
        try {
            if (body instanceof InputStream in) {
                try (in) {
                    return JSON.readTree(in);
                }
            }
            return JSON.readTree(body == null ? "{}" : body.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable query answer from Salesforce", e);
        }
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
