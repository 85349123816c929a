package sync.staging;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The staged batch format: one JSON object per {@link StagedEvent}, one per line, UTF-8, each line
 * ending in {@code \n}:
 * <pre>{"replayId":37904280,"channel":"/data/AccountChangeEvent","mapping":"account","event":{...}}</pre>
 * Decoding is strict: a line that is not such an object (including an empty line) fails the whole
 * batch with a {@link MalformedBatchException} naming the key and line, because a staged batch is
 * the changelog and a silently skipped line would be a lost change.
 */
public final class NdJson {

    /** Decimal numbers are kept as BigDecimal so currency values survive the round trip exactly. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .build();

    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private NdJson() {
    }

    /** The batch as NDJSON bytes; an empty list gives an empty array. */
    public static byte[] encode(List<StagedEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.size() * 512);
        for (StagedEvent e : events) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("replayId", e.replayId());
            line.put("channel", e.channel());
            line.put("mapping", e.mapping());
            line.put("event", e.event());
            try {
                out.write(MAPPER.writeValueAsBytes(line));
            } catch (JsonProcessingException ex) {
                throw new IllegalArgumentException("event " + e.replayId() + " on " + e.channel()
                        + " cannot be written as JSON: " + ex.getOriginalMessage(), ex);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * The events of a staged batch, in file order.
     *
     * @param key     the batch's key, for the error message
     * @param content what {@link #encode(List)} wrote
     * @throws MalformedBatchException at the first line that is not a staged event
     */
    public static List<StagedEvent> decode(String key, byte[] content) {
        List<StagedEvent> events = new ArrayList<>();
        int start = 0;
        int line = 0;
        while (start < content.length) {
            line++;
            int end = indexOf(content, (byte) '\n', start);
            if (end < 0) {
                end = content.length; // last line without its newline: accepted if it is complete JSON
            }
            events.add(decodeLine(key, line, content, start, end));
            start = end + 1;
        }
        return events;
    }

    private static StagedEvent decodeLine(String key, int line, byte[] content, int from, int to) {
        if (to == from) {
            throw new MalformedBatchException(key, line, "empty line");
        }
        Map<String, Object> object;
        try {
            object = MAPPER.readValue(content, from, to - from, OBJECT);
        } catch (JsonProcessingException e) {
            throw new MalformedBatchException(key, line, "not a JSON object: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object replayId = object.get("replayId");
        if (!(replayId instanceof Integer || replayId instanceof Long)) {
            throw new MalformedBatchException(key, line, "no integer 'replayId'");
        }
        if (!(object.get("channel") instanceof String channel)) {
            throw new MalformedBatchException(key, line, "no string 'channel'");
        }
        if (!(object.get("mapping") instanceof String mapping)) {
            throw new MalformedBatchException(key, line, "no string 'mapping'");
        }
        if (!(object.get("event") instanceof Map<?, ?> event)) {
            throw new MalformedBatchException(key, line, "no object 'event'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) event;
        return new StagedEvent(((Number) replayId).longValue(), channel, mapping, data);
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** A staged batch with a line that is not a staged event. */
    public static final class MalformedBatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String key;
        private final int line;

        MalformedBatchException(String key, int line, String reason) {
            this(key, line, reason, null);
        }

        MalformedBatchException(String key, int line, String reason, Throwable cause) {
            super("staged batch '" + key + "', line " + line + ": " + reason, cause);
            this.key = key;
            this.line = line;
        }

        /** Key of the batch. */
        public String key() {
            return key;
        }

        /** 1-based line number of the bad line. */
        public int line() {
            return line;
        }
    }
}
