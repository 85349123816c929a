package sync.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points the test application's datasource at the test JVM's PostgreSQL 15 server
 * ({@link Postgres15#shared()}, logical decoding on, password authentication), for the tests
 * that prove Sluice on the PostgreSQL 14/15 path: no {@code origin=none}, own writes dropped by
 * their {@code source.origin}. A test class using it must be skipped on a machine without the
 * binaries before Quarkus starts, e.g. with
 * {@code @EnabledIf(value = "sync.testing.Postgres15#installed", disabledReason = Postgres15.NOT_INSTALLED)};
 * this resource then fails with that message instead of starting the application against nothing.
 */
public class Postgres15Resource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        if (!Postgres15.installed()) {
            throw new IllegalStateException(Postgres15.NOT_INSTALLED
                    + "; the test class should have been disabled with @EnabledIf(\"sync.testing.Postgres15#installed\")");
        }
        Postgres15.Settings s = Postgres15.shared();
        return Map.of(
                "quarkus.datasource.jdbc.url", s.jdbcUrl(),
                "quarkus.datasource.username", s.username(),
                "quarkus.datasource.password", s.password());
    }

    @Override
    public void stop() {
        // Shared by every test in this JVM: the shutdown hook registered by Postgres15.shared() stops it.
    }
}
