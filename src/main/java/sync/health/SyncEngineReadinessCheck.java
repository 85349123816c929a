package sync.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import sync.flow.SyncEngine;

/** Ready once every stream runs; DOWN while starting and, with the reason, when a mapping is invalid. */
@Readiness
@ApplicationScoped
public class SyncEngineReadinessCheck implements HealthCheck {
    @Inject
    SyncEngine engine;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("sync-streams").status(engine.state() == SyncEngine.State.RUNNING)
                .withData("state", engine.state().name())
                .withData("streams", engine.streams().size());
        if (engine.error() != null) {
            builder.withData("error", engine.error());
        }
        return builder.build();
    }
}
