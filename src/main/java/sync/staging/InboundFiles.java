package sync.staging;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import sync.change.Change;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Files of Salesforce records that other tools (AppFlow-style exports) drop under
 * {@code inbound/<mapping>/}: read them, keep the latest version of each record and turn them into
 * canonical changes applied with the same upsert as change events.
 *
 * <p>Formats, chosen by the key's extension: {@code .json}, {@code .jsonl}, {@code .ndjson} hold one
 * JSON object per line, or a single JSON array of objects; {@code .csv} holds RFC 4180 CSV with a
 * header row of field names (see {@link CsvReader}). Files are UTF-8; a byte order mark is ignored.
 * Every record needs an {@code Id} (15 or 18 characters) and a {@code LastModifiedDate} or
 * {@code SystemModstamp}, the time that orders it against other changes of the same record. A
 * record that breaks a rule is reported as a {@link Problem} and the file's good records are still
 * returned.
 */
public final class InboundFiles {

    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };
    /** Reads one array element; the tokens after it are the rest of the array. */
    private static final ObjectReader ELEMENT = NdJson.MAPPER.readerFor(OBJECT)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern COMPACT_OFFSET = Pattern.compile("([+-]\\d{2})(\\d{2})$");
    private static final Set<String> NOT_FIELDS = Set.of("Id", "attributes");

    private InboundFiles() {
    }

    /**
     * One record of an inbound file.
     *
     * @param key        the file's key
     * @param line       the 1-based line the record starts on
     * @param id         its Salesforce Id, 18 characters
     * @param modifiedAt its LastModifiedDate, or SystemModstamp when that is absent
     * @param values     the record as read: field name to value (CSV values are text, null for an
     *                   empty unquoted cell)
     */
    public record InboundRecord(String key, int line, String id, Instant modifiedAt, Map<String, Object> values) {
        public InboundRecord {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    /**
     * Something wrong in an inbound file.
     *
     * @param line the 1-based line of the record; 0 when the problem concerns the whole file
     */
    public record Problem(String key, int line, String reason) {
        @Override
        public String toString() {
            return key + (line > 0 ? ":" + line : "") + ": " + reason;
        }
    }

    /** What {@link #parse} found: the good records in file order and the problems. */
    public record Parsed(String key, List<InboundRecord> records, List<Problem> problems) {
        public Parsed {
            records = List.copyOf(records);
            problems = List.copyOf(problems);
        }
    }

    /** Reads one inbound file; never throws for bad content, reports it instead. */
    public static Parsed parse(String key, byte[] content) {
        List<InboundRecord> records = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        String name = key.substring(key.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String text;
        try {
            text = utf8(content);
        } catch (CharacterCodingException e) {
            problems.add(new Problem(key, lineOfByte(content, firstBadByte(content)), "not UTF-8 text; re-export the file as UTF-8"));
            return new Parsed(key, records, problems);
        }
        if (name.endsWith(".csv")) {
            csv(key, text, records, problems);
        } else if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            if (text.stripLeading().startsWith("[")) {
                jsonArray(key, text, records, problems);
            } else {
                jsonLines(key, text, records, problems);
            }
        } else {
            problems.add(new Problem(key, 0, "unsupported file type; name it .json, .jsonl, .ndjson (JSON lines or a JSON"
                    + " array) or .csv (CSV with a header row)"));
        }
        return new Parsed(key, records, problems);
    }

    /**
     * The latest version of each record: per Id, the one with the latest {@code modifiedAt}; of
     * equal ones, the last in the list. The survivors keep their order in {@code records}.
     */
    public static List<InboundRecord> latestById(List<InboundRecord> records) {
        Map<String, InboundRecord> latest = new HashMap<>();
        for (InboundRecord r : records) {
            latest.merge(r.id(), r, (old, now) -> now.modifiedAt().isBefore(old.modifiedAt()) ? old : now);
        }
        List<InboundRecord> out = new ArrayList<>(latest.size());
        for (InboundRecord r : records) {
            if (latest.get(r.id()) == r) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Canonical changes for {@code records}: an UPSERT of the record's fields (all but {@code Id},
     * {@code attributes} and nested objects, which are compound or relationship values whose
     * components appear as fields of their own), or a DELETE when {@code IsDeleted} is true.
     * Commit time is {@link InboundRecord#modifiedAt()}; position {@code inbound:<key>#<line>}.
     */
    public static List<Change> toChanges(String mapping, List<InboundRecord> records) {
        List<Change> out = new ArrayList<>(records.size());
        for (InboundRecord r : records) {
            Object deleted = r.values().get("IsDeleted");
            boolean isDeleted = Boolean.TRUE.equals(deleted) || deleted instanceof String s && s.strip().equalsIgnoreCase("true");
            Map<String, Object> fields = new LinkedHashMap<>();
            if (!isDeleted) {
                r.values().forEach((name, value) -> {
                    if (!NOT_FIELDS.contains(name) && !(value instanceof Map)) {
                        fields.put(name, value);
                    }
                });
            }
            out.add(new Change(mapping, Change.Origin.SALESFORCE, isDeleted ? Change.Op.DELETE : Change.Op.UPSERT, r.id(),
                    null, fields, r.modifiedAt(), "inbound:" + r.key() + "#" + r.line(), null, null));
        }
        return out;
    }

    /**
     * A Salesforce date-time: {@code 2024-04-09T20:26:27.000+0000} (REST, exports),
     * {@code 2024-04-09T20:26:27.000Z} (CDC) or {@code +00:00}; a number is epoch milliseconds.
     *
     * @throws DateTimeException when it is none of these
     */
    static Instant timestamp(Object value) {
        if (value instanceof Number n && !(value instanceof java.math.BigDecimal)) {
            return Instant.ofEpochMilli(n.longValue());
        }
        String text = value.toString().strip();
        return OffsetDateTime.parse(COMPACT_OFFSET.matcher(text).replaceFirst("$1:$2")).toInstant();
    }

    private static void csv(String key, String text, List<InboundRecord> records, List<Problem> problems) {
        CsvReader csv = CsvReader.read(text);
        csv.bad.forEach(b -> problems.add(new Problem(key, b.line(), b.reason())));
        if (csv.rows.isEmpty()) {
            problems.sort(java.util.Comparator.comparingInt(Problem::line));
            return;
        }
        CsvReader.Row header = csv.rows.get(0);
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String n : header.fields()) {
            String name = n == null ? "" : n.strip();
            if (name.isEmpty() || !seen.add(name)) {
                problems.add(new Problem(key, header.line(), name.isEmpty() ? "header has an empty column name"
                        : "header names column '" + name + "' twice"));
                return;
            }
            names.add(name);
        }
        for (CsvReader.Row row : csv.rows.subList(1, csv.rows.size())) {
            if (row.fields().size() != names.size()) {
                problems.add(new Problem(key, row.line(), "has " + row.fields().size() + " fields, the header has " + names.size()));
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                values.put(names.get(i), row.fields().get(i));
            }
            accept(key, row.line(), values, records, problems);
        }
        problems.sort(java.util.Comparator.comparingInt(Problem::line));
    }

    private static void jsonLines(String key, String text, List<InboundRecord> records, List<Problem> problems) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> values;
            try {
                values = NdJson.MAPPER.readValue(line, OBJECT);
            } catch (JsonProcessingException e) {
                problems.add(new Problem(key, i + 1, "not a JSON object: " + e.getOriginalMessage()));
                continue;
            }
            if (values == null) {
                problems.add(new Problem(key, i + 1, "not a JSON object: null"));
                continue;
            }
            accept(key, i + 1, values, records, problems);
        }
    }

    private static void jsonArray(String key, String text, List<InboundRecord> records, List<Problem> problems) {
        try (JsonParser p = NdJson.MAPPER.createParser(text)) {
            p.nextToken(); // '['
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    problems.add(new Problem(key, p.currentLocation().getLineNr(), "JSON array is never closed"));
                    return;
                }
                int line = p.currentTokenLocation().getLineNr();
                if (t != JsonToken.START_OBJECT) {
                    problems.add(new Problem(key, line, "array element is not a JSON object"));
                    p.skipChildren();
                    continue;
                }
                accept(key, line, ELEMENT.readValue(p), records, problems);
            }
            if (p.nextToken() != null) {
                problems.add(new Problem(key, p.currentTokenLocation().getLineNr(), "content after the JSON array"));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            problems.add(new Problem(key, at == null ? 0 : at.getLineNr(), "malformed JSON, the rest of the file is not read: "
                    + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String
        }
    }

    /** Checks a record's Id and time and keeps it, or reports why not. */
    private static void accept(String key, int line, Map<String, Object> values, List<InboundRecord> records,
                               List<Problem> problems) {
        Object rawId = values.get("Id");
        if (rawId == null || rawId.toString().isBlank()) {
            problems.add(new Problem(key, line, "record has no Id"));
            return;
        }
        if (!(rawId instanceof String idText)) {
            problems.add(new Problem(key, line, "Id " + rawId + " is not text"));
            return;
        }
        var id = RecordIds.normalize(idText.strip());
        if (id.isEmpty()) {
            problems.add(new Problem(key, line, "Id '" + idText + "' is not a Salesforce record Id (15 or 18 letters and digits)"));
            return;
        }
        String stampField = values.get("LastModifiedDate") != null ? "LastModifiedDate"
                : values.get("SystemModstamp") != null ? "SystemModstamp" : null;
        if (stampField == null) {
            problems.add(new Problem(key, line, "record " + id.get() + " has neither LastModifiedDate nor SystemModstamp,"
                    + " so it cannot be ordered against other changes; include one of them in the export"));
            return;
        }
        Instant modifiedAt;
        try {
            modifiedAt = timestamp(values.get(stampField));
        } catch (DateTimeException e) {
            problems.add(new Problem(key, line, "record " + id.get() + ": " + stampField + " '" + values.get(stampField)
                    + "' is not a date-time like 2024-04-09T20:26:27.000+0000"));
            return;
        }
        records.add(new InboundRecord(key, line, id.get(), modifiedAt, values));
    }

    private static String utf8(byte[] content) throws CharacterCodingException {
        int skip = content.length >= 3 && (content[0] & 0xff) == 0xEF && (content[1] & 0xff) == 0xBB && (content[2] & 0xff) == 0xBF ? 3 : 0;
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(content, skip, content.length - skip))
                .toString();
    }

    private static int firstBadByte(byte[] content) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        var out = java.nio.CharBuffer.allocate(content.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }

    private static int lineOfByte(byte[] content, int index) {
        int line = 1;
        for (int i = 0; i < index && i < content.length; i++) {
            if (content[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
