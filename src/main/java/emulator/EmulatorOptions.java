package emulator;

import emulator.auth.Credentials;
import emulator.model.Schema;

import java.security.SecureRandom;
import java.time.Duration;

/**
 * How to start an emulated org. {@link #defaults()} generates fresh random credentials, so no
 * credential is ever a constant in code or configuration.
 */
public record EmulatorOptions(
        String host,
        int port,
        Schema schema,
        Credentials credentials,
        /* access tokens expire after this (Salesforce's default session timeout is 2 hours) */
        Duration tokenTtl,
        /* change events are retained this long (Salesforce: 72 hours) */
        Duration eventRetention,
        /* long-poll hold of a CometD connect (Salesforce: 110 s) */
        Duration cometdHold,
        /* the API version Salesforce would report as latest */
        String latestApiVersion,
        /* daily API request limit reported by /limits and Sforce-Limit-Info */
        long dailyApiRequests) {

    public static EmulatorOptions defaults() {
        return new EmulatorOptions("127.0.0.1", 0, Schema.defaultSchema(), randomCredentials(),
                Duration.ofHours(2), Duration.ofHours(72), Duration.ofSeconds(110), "66.0", 100_000);
    }

    public EmulatorOptions withPort(int newPort) {
        return new EmulatorOptions(host, newPort, schema, credentials, tokenTtl, eventRetention, cometdHold,
                latestApiVersion, dailyApiRequests);
    }

    public EmulatorOptions withHost(String newHost) {
        return new EmulatorOptions(newHost, port, schema, credentials, tokenTtl, eventRetention, cometdHold,
                latestApiVersion, dailyApiRequests);
    }

    public EmulatorOptions withCredentials(Credentials newCredentials) {
        return new EmulatorOptions(host, port, schema, newCredentials, tokenTtl, eventRetention, cometdHold,
                latestApiVersion, dailyApiRequests);
    }

    public EmulatorOptions withSchema(Schema newSchema) {
        return new EmulatorOptions(host, port, newSchema, credentials, tokenTtl, eventRetention, cometdHold,
                latestApiVersion, dailyApiRequests);
    }

    public static Credentials randomCredentials() {
        return new Credentials("3MVG9emulator" + random(40), random(32), "integration@sluice.emulator",
                random(16), random(24), null);
    }

    private static String random(int n) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
