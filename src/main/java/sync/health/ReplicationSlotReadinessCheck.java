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
 * (the disk is filling while changes wait), and DOWN when the running capture has delivered
 * nothing, not even a heartbeat, for three heartbeat intervals (at least 30 s): Debezium keeps
 * retrying a failing replication connection without surfacing it. UP otherwise, and when
 * nothing syncs to Salesforce.
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
            boolean capturing = engine.capturing();
            long silent = engine.outbound().silentMillis();
            long maxSilent = maxSilentMillis(config.outbound().heartbeatMillis());
            builder.withData("capturing", capturing).withData("lagBytes", lag)
                    .withData("maxLagBytes", config.outbound().maxSlotLagBytes())
                    .withData("queued", engine.outbound().queue().buffered())
                    .withData("lastEventMillisAgo", silent);
            boolean streaming = !capturing || silent <= maxSilent;
            if (!streaming) {
                builder.withData("error", "the capture has delivered nothing (not even a heartbeat) for " + silent
                        + " ms: the replication connection is failing; see the log of io.debezium");
            }
            return builder.status(lag <= config.outbound().maxSlotLagBytes() && streaming).build();
        } catch (SQLException e) {
            return builder.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }

    /** Heartbeats come every heartbeat interval; three missed ones (at least 30 s) mean the stream is down. */
    static long maxSilentMillis(long heartbeatMillis) {
        return Math.max(30_000, 3 * heartbeatMillis);
    }
}
