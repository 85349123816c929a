package emulator;

import emulator.auth.Credentials;
import emulator.model.Schema;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the emulator standalone: {@code --port N} (default 8999, 0 = any free port),
 * {@code --host H} (default 127.0.0.1), {@code --schema file.json}, {@code --token-ttl SECONDS}.
 * Credentials are generated at start, or taken from the environment variables
 * SF_EMULATOR_CLIENT_ID, SF_EMULATOR_CLIENT_SECRET, SF_EMULATOR_USERNAME, SF_EMULATOR_PASSWORD and
 * SF_EMULATOR_SECURITY_TOKEN. Prints the login URL and credentials, then serves until killed.
 */
public final class EmulatorMain {
    private EmulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmulatorOptions options = EmulatorOptions.defaults().withPort(8999);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--port" -> options = options.withPort(parsePort(value));
                case "--host" -> options = options.withHost(require(arg, value));
                case "--schema" -> options = options.withSchema(Schema.load(Path.of(require(arg, value))));
                case "--token-ttl" -> options = new EmulatorOptions(options.host(), options.port(), options.schema(),
                        options.credentials(), Duration.ofSeconds(Long.parseLong(require(arg, value))),
                        options.eventRetention(), options.cometdHold(), options.latestApiVersion(), options.dailyApiRequests());
                case "--help", "-h" -> {
                    System.out.println("usage: emulator [--port 8999] [--host 127.0.0.1] [--schema schema.json] [--token-ttl seconds]");
                    return;
                }
                default -> {
                    System.err.println("emulator: unknown argument '" + arg + "' (try --help)");
                    System.exit(2);
                }
            }
            i++;
        }
        options = options.withCredentials(fromEnvironment(options.credentials()));
        SalesforceEmulator emulator = SalesforceEmulator.start(options);
        Credentials c = emulator.credentials();
        System.out.println("Salesforce emulator listening");
        System.out.println("  login URL      : " + emulator.baseUrl());
        System.out.println("  client id      : " + c.clientId());
        System.out.println("  client secret  : " + c.clientSecret());
        System.out.println("  username       : " + c.username());
        System.out.println("  password       : " + c.password());
        System.out.println("  security token : " + c.securityToken() + "  (password grant: password + security token)");
        System.out.println("  admin API      : " + emulator.baseUrl() + "/emulator/info");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    private static Credentials fromEnvironment(Credentials generated) {
        return new Credentials(env("SF_EMULATOR_CLIENT_ID", generated.clientId()),
                env("SF_EMULATOR_CLIENT_SECRET", generated.clientSecret()),
                env("SF_EMULATOR_USERNAME", generated.username()),
                env("SF_EMULATOR_PASSWORD", generated.password()),
                env("SF_EMULATOR_SECURITY_TOKEN", generated.securityToken()), null);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(require("--port", value));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            System.err.println("emulator: --port must be a number between 0 and 65535, got '" + value + "'");
            System.exit(2);
            return -1;
        }
    }

    private static String require(String arg, String value) {
        if (value == null) {
            System.err.println("emulator: " + arg + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
