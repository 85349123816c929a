package emulator.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emulator.SalesforceEmulator;
import emulator.auth.Credentials;
import emulator.model.ObjectDef;
import org.apache.camel.CamelContext;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.impl.DefaultCamelContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Shared plumbing for the tests that drive the real camel-salesforce component against the
 * emulator: a programmatically configured {@link SalesforceComponent} in a plain
 * {@link DefaultCamelContext} (no Quarkus), and a small client for the emulator's admin API.
 */
final class CamelEmulatorSupport {
    static final String API_VERSION = "61.0";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private CamelEmulatorSupport() {
    }

    /** A salesforce component logging in to the emulator with the given grant (password-grant credentials filled in). */
    static SalesforceComponent component(SalesforceEmulator emulator, AuthenticationType type) {
        Credentials c = emulator.credentials();
        SalesforceComponent sf = new SalesforceComponent();
        sf.setLoginUrl(emulator.baseUrl());
        sf.setClientId(c.clientId());
        sf.setAuthenticationType(type);
        switch (type) {
            case USERNAME_PASSWORD -> {
                sf.setClientSecret(c.clientSecret());
                sf.setUserName(c.username());
                sf.setPassword(c.passwordWithToken());
            }
            case CLIENT_CREDENTIALS -> sf.setClientSecret(c.clientSecret());
            case REFRESH_TOKEN -> sf.setClientSecret(c.clientSecret());
            case JWT -> sf.setUserName(c.username());
            default -> throw new IllegalArgumentException(type.name());
        }
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion(API_VERSION);
        sf.setConfig(config);
        sf.setPackages("emulator.camel");
        // Keep failures quick: the defaults back off for up to 30 s on streaming errors.
        config.setMaxBackoff(2_000L);
        config.setBackoffIncrement(200L);
        return sf;
    }

    /** A not yet started context with the component registered as "salesforce". */
    static DefaultCamelContext context(SalesforceComponent component) {
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.addComponent("salesforce", component);
        return ctx;
    }

    static void stopQuietly(CamelContext ctx) {
        if (ctx != null) {
            try {
                ctx.stop();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
    }

    /** POSTs to the emulator's admin API and returns the parsed JSON answer (asserting a 2xx status). */
    static JsonNode admin(SalesforceEmulator emulator, String path, String body) {
        HttpResponse<String> r = send(emulator.baseUrl() + path, "POST", "application/json", body == null ? "" : body, Map.of());
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("admin " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    static void reset(SalesforceEmulator emulator) {
        admin(emulator, "/emulator/reset", "");
    }

    static HttpResponse<String> send(String url, String method, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectDef account(SalesforceEmulator emulator) {
        return emulator.schema().object("Account");
    }

    /** The stored (raw) record, or null. */
    static Map<String, Object> stored(SalesforceEmulator emulator, String id) {
        return emulator.store().find(emulator.schema().objectForId(id), id);
    }

    /** The first {@link SalesforceException} in a cause chain, or null. */
    static SalesforceException salesforceCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SalesforceException se) {
                return se;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /** Every message of a cause chain, for assertions on text that may sit in any layer. */
    static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
            if (c instanceof SalesforceException se && se.getErrors() != null) {
                se.getErrors().forEach(e -> s.append("  error ").append(e.getErrorCode()).append(": ").append(e.getMessage()).append('\n'));
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return s.toString();
    }
}
