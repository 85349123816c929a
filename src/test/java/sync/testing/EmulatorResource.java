package sync.testing;

import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import emulator.auth.Credentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * The Salesforce org emulator on a free loopback port with fresh random credentials, returned
 * as {@code sync.salesforce.*}. One emulator per test class loader (in practice per test JVM,
 * since the test applications share one set of resources); tests reach it through
 * {@link #emulator()} to seed records, inject faults and count API calls. It is in-memory and
 * starts in milliseconds, so unlike PostgreSQL it is not shared across class loaders: the
 * handle tests need would not be usable from another one.
 */
public class EmulatorResource implements QuarkusTestResourceLifecycleManager {

    private static SalesforceEmulator emulator;

    @Override
    public Map<String, String> start() {
        SalesforceEmulator org = emulator();
        Credentials c = org.credentials();
        return Map.of(
                "sync.salesforce.login-url", org.baseUrl(),
                "sync.salesforce.auth-type", "username-password",
                "sync.salesforce.client-id", c.clientId(),
                "sync.salesforce.client-secret", c.clientSecret(),
                "sync.salesforce.username", c.username(),
                "sync.salesforce.password", c.passwordWithToken());
    }

    /** The running emulator, started on first use. */
    public static synchronized SalesforceEmulator emulator() {
        if (emulator == null) {
            SalesforceEmulator started = SalesforceEmulator.start(EmulatorOptions.defaults().withPort(0));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-emulator-stop"));
            emulator = started;
        }
        return emulator;
    }

    @Override
    public void stop() {
        // Shared by every test application in this class loader: the shutdown hook stops it.
    }
}
