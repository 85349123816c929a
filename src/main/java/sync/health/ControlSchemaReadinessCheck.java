package sync.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;

import java.util.Arrays;

/**
 * Ready only when the {@code sync} control schema is fully migrated: positions, offsets and dead
 * letters must have somewhere to go before any change is consumed.
 */
@Readiness
@ApplicationScoped
public class ControlSchemaReadinessCheck implements HealthCheck {

    static final String NAME = "sync-control-schema";

    @Inject
    Flyway flyway;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        try {
            MigrationInfoService info = flyway.info();
            MigrationInfo current = info.current();
            int pending = info.pending().length;
            int failed = (int) Arrays.stream(info.all()).filter(m -> m.getState().isFailed()).count();
            response.withData("version", current == null ? "none" : current.getVersion().getVersion())
                    .withData("pending", pending)
                    .withData("failed", failed);
            return response.status(current != null && pending == 0 && failed == 0).build();
        } catch (RuntimeException e) {
            // A readiness probe reports; the cause (e.g. database down) is in the data.
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
