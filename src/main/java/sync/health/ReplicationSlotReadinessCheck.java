package sync.health;

import javax.sql.DataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import sync.config.SyncConfig;
import sync.debezium.Publication;
import sync.flow.SyncEngine;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The replication slot of the PostgreSQL -> Salesforce direction: how many bytes of WAL it
 * retains beyond its confirmed position. DOWN above {@code sync.outbound.max-slot-lag-bytes}
 * (the disk is filling while changes wait), UP otherwise; not reported when nothing syncs to
 * Salesforce.
 */
@Readiness
@ApplicationScoped
public class ReplicationSlotReadinessCheck implements HealthCheck {
    @Inject
    DataSource dataSource;
    @Inject
    SyncConfig config;
    @Inject
    SyncEngine engine;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("sync-replication-slot").withData("slot", config.outbound().slotName());
        if (engine.outbound() == null) {
            return builder.up().withData("capturing", false).build();
        }
        try (Connection c = dataSource.getConnection()) {
            long lag = Publication.slotLagBytes(c, config.outbound().slotName());
            builder.withData("capturing", true).withData("lagBytes", lag)
                    .withData("maxLagBytes", config.outbound().maxSlotLagBytes())
                    .withData("queued", engine.outbound().queue().buffered());
            return builder.status(lag <= config.outbound().maxSlotLagBytes()).build();
        } catch (SQLException e) {
            return builder.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
