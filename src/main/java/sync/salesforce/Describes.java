package sync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;
import sync.mapping.SalesforceField;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads an object's fields from Salesforce's describe through camel-salesforce. */
public final class Describes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Describes() {
    }

    /** Field name -> field, in describe order. */
    public static Map<String, SalesforceField> fields(ProducerTemplate template, String object) {
        Object body = template.requestBodyAndHeader("salesforce:getDescription?rawPayload=true", null, "sObjectName", object);
        return parse(read(body, "describe"));
    }

    static Map<String, SalesforceField> parse(JsonNode describe) {
        Map<String, SalesforceField> out = new LinkedHashMap<>();
        for (JsonNode f : describe.path("fields")) {
            out.put(f.path("name").asText(), new SalesforceField(f.path("name").asText(), f.path("type").asText(),
                    f.path("createable").asBoolean(), f.path("updateable").asBoolean(), f.path("nillable").asBoolean(),
                    f.path("length").asInt(), f.path("precision").asInt(), f.path("scale").asInt()));
        }
        return out;
    }

    /** A raw-payload answer of camel-salesforce (String or InputStream) as JSON. */
    static JsonNode read(Object body, String what) {
        try {
            if (body instanceof InputStream in) {
                try (in) {
                    return JSON.readTree(in);
                }
            }
            return JSON.readTree(body == null ? "{}" : body.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable " + what + " answer from Salesforce", e);
        }
    }
}
