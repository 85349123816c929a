package emulator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** The emulator's one JSON mapper. Parse failures become Salesforce's JSON_PARSER_ERROR. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize emulator response", e);
        }
    }

    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("JSON_PARSER_ERROR", "The request body is empty");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("JSON_PARSER_ERROR", "The request body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            long column = e.getLocation() == null ? 1 : e.getLocation().getColumnNr();
            throw ApiException.badRequest("JSON_PARSER_ERROR",
                    e.getOriginalMessage() + " at [line:" + line + ", column:" + column + "]");
        } catch (IOException e) {
            throw ApiException.badRequest("JSON_PARSER_ERROR", "Unreadable request body: " + e.getMessage());
        }
    }
}
