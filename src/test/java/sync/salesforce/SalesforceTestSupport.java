package sync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorHttp;
import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.impl.DefaultCamelContext;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-process emulator and a plain Camel context (no Quarkus) whose salesforce component is
 * configured as {@link SalesforceComponentProducer} configures it (raw payloads).
 */
final class SalesforceTestSupport implements AutoCloseable {
    final SalesforceEmulator org;
    final EmulatorHttp http;
    final DefaultCamelContext camel;
    final ProducerTemplate template;

    SalesforceTestSupport() {
        org = SalesforceEmulator.start(EmulatorOptions.defaults());
        var c = org.credentials();
        SalesforceComponent sf = new SalesforceComponent();
        sf.setLoginUrl(org.baseUrl());
        sf.setClientId(c.clientId());
        sf.setClientSecret(c.clientSecret());
        sf.setUserName(c.username());
        sf.setPassword(c.passwordWithToken());
        sf.setAuthenticationType(AuthenticationType.USERNAME_PASSWORD);
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion("61.0");
        config.setRawPayload(true);
        sf.setConfig(config);
        camel = new DefaultCamelContext();
        camel.addComponent("salesforce", sf);
        camel.start();
        template = camel.createProducerTemplate();
        http = new EmulatorHttp(org);
        http.login();
    }

    void reset() {
        http.admin("reset", "");
        org.counters().reset();
    }

    /** Seeds records of one object (a JSON array of field maps) and returns their Ids in order. */
    List<String> seed(String object, String jsonArray) {
        EmulatorHttp.Reply r = http.admin("seed", "{\"" + object + "\":" + jsonArray + "}");
        if (r.status() / 100 != 2) {
            throw new AssertionError("seed answered " + r.status() + ": " + r.body());
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode id : r.json().path("ids").path(object)) {
            ids.add(id.asText());
        }
        return ids;
    }

    void delete(String object, String id) {
        EmulatorHttp.Reply r = http.delete(EmulatorHttp.V + "/sobjects/" + object + "/" + id);
        if (r.status() != 204) {
            throw new AssertionError("delete answered " + r.status() + ": " + r.body());
        }
    }

    static String json(Object value) {
        try {
            return EmulatorHttp.JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    long counter(String key) {
        return org.counters().get(key);
    }

    @Override
    public void close() {
        try {
            camel.stop();
        } finally {
            org.close();
        }
    }
}
