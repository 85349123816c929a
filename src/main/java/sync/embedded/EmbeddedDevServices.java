package sync.embedded;

import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import emulator.auth.Credentials;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the dev-mode embedded PostgreSQL and Salesforce emulator, once per JVM, and returns the
 * configuration that points Sluice at them. Only {@link EmbeddedDefaultsConfigSourceFactory}
 * loads this class, and only in embedded dev mode: it is the one that touches the zonky
 * classes, which the production package does not contain.
 */
final class EmbeddedDevServices {

    private static final Logger LOG = Logger.getLogger(EmbeddedDevServices.class);

    private EmbeddedDevServices() {
    }

    /** Configuration for the datasource and {@code sync.salesforce.*}; starts the services on the first call. */
    static Map<String, String> configuration(int emulatorPort) {
        return JvmOnce.settings("dev-services", () -> start(emulatorPort));
    }

    private static Map<String, String> start(int emulatorPort) {
        EmbeddedPostgresLauncher.Server postgres = EmbeddedPostgresLauncher.start();
        SalesforceEmulator emulator;
        try {
            emulator = SalesforceEmulator.start(EmulatorOptions.defaults().withPort(emulatorPort));
        } catch (UncheckedIOException e) {
            stop(postgres.stop());
            throw new IllegalStateException("Cannot start the Salesforce emulator on port " + emulatorPort
                    + ": is another Sluice or emulator running? Stop it, or set sync.embedded.emulator-port=0 for any free port", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stop(postgres.stop());
        }, "sluice-embedded-shutdown"));

        Credentials credentials = emulator.credentials();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        config.put("quarkus.datasource.username", postgres.username());
        config.put("sync.salesforce.login-url", emulator.baseUrl());
        config.put("sync.salesforce.auth-type", "username-password");
        config.put("sync.salesforce.client-id", credentials.clientId());
        config.put("sync.salesforce.client-secret", credentials.clientSecret());
        config.put("sync.salesforce.username", credentials.username());
        config.put("sync.salesforce.password", credentials.passwordWithToken());

        // Printed once per JVM, on purpose with the secrets: they are random, throwaway and only
        // open the local emulator, and a developer needs them to log in with other tools.
        LOG.infof("""
                Embedded dev services started (sync.embedded.enabled=true in the dev profile):
                  PostgreSQL 18     %s  (user %s, no password: trust on localhost only)
                  Salesforce login  %s  (the emulator)
                    client id       %s
                    client secret   %s
                    username        %s
                    password        %s  (password %s + security token %s)
                  These are random throwaway credentials for the local emulator, new on every start.
                  Override any of them with the usual keys (e.g. QUARKUS_DATASOURCE_JDBC_URL, SYNC_SALESFORCE_LOGIN_URL).""",
                postgres.jdbcUrl(), postgres.username(), emulator.baseUrl(), credentials.clientId(),
                credentials.clientSecret(), credentials.username(), credentials.passwordWithToken(),
                credentials.password(), credentials.securityToken());
        return config;
    }

    private static void stop(AutoCloseable service) {
        try {
            service.close();
        } catch (Exception e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly", e);
        }
    }
}
