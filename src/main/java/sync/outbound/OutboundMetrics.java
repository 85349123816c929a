package sync.outbound;

import io.micrometer.core.instrument.MeterRegistry;

/** Counters of the PostgreSQL -> Salesforce flow, served on /q/metrics. */
public final class OutboundMetrics {
    private final MeterRegistry registry;

    public OutboundMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void captured(String mapping) {
        registry.counter("sluice.outbound.captured", "mapping", mapping).increment();
    }

    public void call(String mapping, String kind, int records) {
        calls(mapping, kind, 1, records);
    }

    /** One Composite call carrying several sObject Collections calls: one API call; records count per kind with {@link #records}. */
    public void compositeCall(String mapping) {
        registry.counter("sluice.outbound.calls", "mapping", mapping, "kind", "COMPOSITE").increment();
    }

    /** Records sent in a subrequest of a Composite call. */
    public void records(String mapping, String kind, int records) {
        registry.counter("sluice.outbound.records.sent", "mapping", mapping, "kind", kind).increment(records);
    }

    /** One Bulk API 2.0 ingest job: its API calls and records. */
    public void bulkJob(String mapping, String kind, long calls, int records) {
        registry.counter("sluice.outbound.bulk.jobs", "mapping", mapping, "kind", kind).increment();
        calls(mapping, kind, calls, records);
    }

    private void calls(String mapping, String kind, long calls, int records) {
        registry.counter("sluice.outbound.calls", "mapping", mapping, "kind", kind).increment(calls);
        registry.counter("sluice.outbound.records.sent", "mapping", mapping, "kind", kind).increment(records);
    }

    public void settled(String mapping, int sent, int failed, int retried) {
        registry.counter("sluice.outbound.settled", "mapping", mapping, "outcome", "sent").increment(sent);
        registry.counter("sluice.outbound.settled", "mapping", mapping, "outcome", "dead-lettered").increment(failed);
        registry.counter("sluice.outbound.settled", "mapping", mapping, "outcome", "retried").increment(retried);
    }

    /** A PostgreSQL delete not sent because the mapping says {@code deletes.in-salesforce: ignore}. */
    public void ignoredDelete(String mapping) {
        registry.counter("sluice.outbound.deletes.ignored", "mapping", mapping).increment();
    }
}
