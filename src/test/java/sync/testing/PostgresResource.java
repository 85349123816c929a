package sync.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import sync.embedded.EmbeddedPostgresLauncher;
import sync.embedded.JvmOnce;

import java.util.Map;

/**
 * One embedded PostgreSQL 18 for the whole test JVM (logical decoding on), shared by every
 * {@code @QuarkusTest} whatever its other resources; stopped when the JVM exits. Tests that
 * need isolation use their own tables or schemas, not their own server.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return settings();
    }

    /** The datasource settings, starting the server on the first call in this JVM. */
    public static Map<String, String> settings() {
        return JvmOnce.settings("test-postgres", () -> {
            EmbeddedPostgresLauncher.Server server = EmbeddedPostgresLauncher.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop().close();
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot stop the test PostgreSQL", e);
                }
            }, "test-postgres-stop"));
            return Map.of(
                    "quarkus.datasource.jdbc.url", server.jdbcUrl(),
                    "quarkus.datasource.username", server.username());
        });
    }

    @Override
    public void stop() {
        // Shared by every test application in this JVM: the shutdown hook stops it.
    }
}
