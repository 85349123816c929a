package sync.flow;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import sync.apply.ApplyResult;
import sync.staging.StagedEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sluice's own metrics (on /q/metrics): changes applied, skipped by the ordering guard and
 * dead-lettered per mapping, and the end-to-end lag of the last applied batch (commit in
 * Salesforce to commit in PostgreSQL).
 */
public final class SyncMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> lagMillis = new ConcurrentHashMap<>();

    public SyncMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void applied(String mapping, ApplyResult result, List<StagedEvent> batch) {
        Tags tags = Tags.of("mapping", mapping, "direction", "to-postgres");
        registry.counter("sluice.changes.applied", tags).increment(result.applied());
        registry.counter("sluice.changes.skipped", tags).increment(result.skipped());
        registry.counter("sluice.changes.dead.lettered", tags).increment(result.deadLettered());
        batch.get(batch.size() - 1).commitTime().ifPresent(t -> lag(mapping).set(Instant.now().toEpochMilli() - t.toEpochMilli()));
    }

    void deadLettered(String mapping, int n) {
        registry.counter("sluice.changes.dead.lettered", Tags.of("mapping", mapping, "direction", "to-postgres")).increment(n);
    }

    private AtomicLong lag(String mapping) {
        return lagMillis.computeIfAbsent(mapping, m -> registry.gauge("sluice.lag.millis",
                Tags.of("mapping", m, "direction", "to-postgres"), new AtomicLong()));
    }
}
