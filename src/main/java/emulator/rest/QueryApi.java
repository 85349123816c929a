package emulator.rest;

import emulator.SalesforceEmulator;
import emulator.http.ApiException;
import emulator.http.Request;
import emulator.http.Response;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.Values;
import emulator.soql.FieldTypes;
import emulator.soql.Soql;
import emulator.soql.SoqlException;
import emulator.soql.SoqlQuery;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code query} / {@code queryAll} with paging: results beyond the batch size (default 2,000,
 * {@code Sforce-Query-Options: batchSize=N} between 200 and 2,000) are kept under a query
 * locator and served from {@code nextRecordsUrl} ({@code /query/01g...-2000}).
 */
final class QueryApi {
    private static final int MAX_LOCATORS = 200;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final SalesforceEmulator org;
    private final SecureRandom random = new SecureRandom();
    /** locator -> rendered rows; oldest dropped first. */
    private final Map<String, Cursor> cursors = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cursor> eldest) {
            return size() > MAX_LOCATORS;
        }
    };

    QueryApi(SalesforceEmulator org) {
        this.org = org;
    }

    Response run(Request request, boolean all, String version) {
        String q = request.param("q");
        if (q == null || q.isBlank()) {
            throw new ApiException(400, "MALFORMED_QUERY", "A query string has to be specified");
        }
        List<Map<String, Object>> rows;
        int total;
        try {
            SoqlQuery query = Soql.parse(q);
            ObjectDef o = org.schema().object(query.objectName());
            if (o == null) {
                throw new SoqlException("INVALID_TYPE", "\n" + q + "\n" + "^\nERROR at Row:1:Column:1\nsObject type '"
                        + query.objectName() + "' is not supported. If you are attempting to use a custom object, be sure "
                        + "to append the '__c' after the entity name. Please reference your WSDL or the describe call for "
                        + "the appropriate names.");
            }
            FieldTypes types = types(o);
            List<String> fields = query.validate(o.name(), types);
            List<Map<String, Object>> matching = new ArrayList<>();
            for (Map<String, Object> r : org.store().all(o, all)) {
                Map<String, Object> view = restView(o, r);
                if (query.matches(view, types)) {
                    matching.add(view);
                }
            }
            matching.sort(query.comparator(types));
            if (query.limit().isPresent() && matching.size() > query.limit().getAsInt()) {
                matching = matching.subList(0, query.limit().getAsInt());
            }
            total = matching.size();
            if (query.countOnly()) {
                return Response.json(200, page(total, List.of(), null));
            }
            List<FieldDef> selected = new ArrayList<>();
            for (String f : fields) {
                selected.add(o.field(f));
            }
            rows = new ArrayList<>(matching.size());
            for (Map<String, Object> view : matching) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("attributes", Records.attributes(o, (String) view.get("Id"), version));
                for (FieldDef f : selected) {
                    out.put(f.name(), view.get(f.name()));
                }
                rows.add(out);
            }
        } catch (SoqlException e) {
            throw new ApiException(400, e.errorCode(), e.getMessage());
        }
        int batch = batchSize(request.header("Sforce-Query-Options"));
        if (rows.size() <= batch) {
            return Response.json(200, page(total, rows, null));
        }
        String locator = newLocator();
        synchronized (cursors) {
            cursors.put(locator, new Cursor(rows, batch, total));
        }
        return Response.json(200, page(total, rows.subList(0, batch), "/services/data/v" + version + "/query/" + locator + "-" + batch));
    }

    Response more(String locatorAndOffset, String version) {
        int dash = locatorAndOffset.lastIndexOf('-');
        if (dash < 0) {
            throw new ApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        }
        String locator = locatorAndOffset.substring(0, dash);
        int offset;
        try {
            offset = Integer.parseInt(locatorAndOffset.substring(dash + 1));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        }
        Cursor c;
        synchronized (cursors) {
            c = cursors.get(locator);
        }
        if (c == null || offset < 0 || offset > c.rows.size()) {
            throw new ApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        }
        int end = Math.min(c.rows.size(), offset + c.batch);
        String next = end < c.rows.size() ? "/services/data/v" + version + "/query/" + locator + "-" + end : null;
        if (next == null) {
            synchronized (cursors) {
                cursors.remove(locator);
            }
        }
        return Response.json(200, page(c.total, c.rows.subList(offset, end), next));
    }

    private static Map<String, Object> page(int total, List<Map<String, Object>> rows, String next) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalSize", total);
        body.put("done", next == null);
        if (next != null) {
            body.put("nextRecordsUrl", next);
        }
        body.put("records", rows);
        return body;
    }

    /** The record as REST shows it (compound fields rendered), which the SOQL evaluator compares. */
    static Map<String, Object> restView(ObjectDef o, Map<String, Object> r) {
        Map<String, Object> view = new LinkedHashMap<>();
        for (FieldDef f : o.fields()) {
            view.put(f.name(), f.isCompound() ? Records.value(o, f, r) : Values.toRest(r.get(f.name())));
        }
        return view;
    }

    static FieldTypes types(ObjectDef o) {
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

    private static int batchSize(String header) {
        if (header != null) {
            for (String part : header.split(",")) {
                String p = part.trim();
                if (p.startsWith("batchSize=")) {
                    try {
                        int n = Integer.parseInt(p.substring("batchSize=".length()).trim());
                        return Math.max(200, Math.min(2000, n));
                    } catch (NumberFormatException e) {
                        return 2000;
                    }
                }
            }
        }
        return 2000;
    }

    private String newLocator() {
        StringBuilder s = new StringBuilder("01g8d");
        for (int i = 0; i < 13; i++) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    private record Cursor(List<Map<String, Object>> rows, int batch, int total) {
    }
}
