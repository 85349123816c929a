package sync.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;
import sync.apply.ApplyResult;
import sync.apply.PositionUpdate;
import sync.apply.PostgresApplier;
import sync.apply.ReplayPositions;
import sync.change.CdcEvents;
import sync.change.Change;
import sync.change.RecordSnapshots;
import sync.mapping.FieldColumn;
import sync.mapping.ResolvedMapping;
import sync.salesforce.SalesforceReader;
import sync.staging.NdJson;
import sync.staging.StagedEvent;
import sync.staging.StagingArea;
import sync.staging.StagingKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Salesforce -> PostgreSQL flow of one mapping, step by step: a received change event is
 * kept raw; a batch of them is staged durably (the replayable changelog), turned into canonical
 * changes and applied in one transaction together with the replay position. GAP events re-read
 * their records before the position moves past them; an overflow queues a resync of the object.
 * Routes call {@link #intake} and {@link #stageAndApply}; nothing here knows about Camel.
 */
public final class SalesforceStream {
    private static final Logger LOG = Logger.getLogger(SalesforceStream.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResolvedMapping mapping;
    private final String orgId;
    private final String channel;
    private final StagingArea staging;
    private final PostgresApplier applier;
    private final ReplayPositions positions;
    private final SalesforceReader reader;
    private final DeadLetterWriter deadLetters;
    private final ResyncJobs resyncs;
    private final SyncMetrics metrics;
    private final sync.outbound.EchoGuard guard;

    public SalesforceStream(ResolvedMapping mapping, String orgId, String channel, StagingArea staging,
                            PostgresApplier applier, ReplayPositions positions, SalesforceReader reader,
                            DeadLetterWriter deadLetters, ResyncJobs resyncs, SyncMetrics metrics,
                            sync.outbound.EchoGuard guard) {
        this.guard = guard;
        this.mapping = mapping;
        this.orgId = orgId;
        this.channel = channel;
        this.staging = staging;
        this.applier = applier;
        this.positions = positions;
        this.reader = reader;
        this.deadLetters = deadLetters;
        this.resyncs = resyncs;
        this.metrics = metrics;
    }

    public ResolvedMapping mapping() {
        return mapping;
    }

    public String channel() {
        return channel;
    }

    /** One raw CometD message (camel-salesforce rawPayload) -> a staged event, unparsed beyond its replay id. */
    @SuppressWarnings("unchecked")
    public StagedEvent intake(String rawMessage) {
        Map<String, Object> message;
        try {
            message = JSON.readValue(rawMessage, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("change event on " + channel + " is not JSON", e);
        }
        Map<String, Object> data = message.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : message;
        Object event = data.get("event");
        Object replayId = event instanceof Map<?, ?> e ? e.get("replayId") : null;
        if (!(replayId instanceof Number n)) {
            throw new IllegalArgumentException("change event on " + channel + " without a numeric event.replayId");
        }
        return new StagedEvent(n.longValue(), channel, mapping.name(), data);
    }

    /** Replay id of the newest event this subscription has let through. */
    private final java.util.concurrent.atomic.AtomicLong lastDelivered = new java.util.concurrent.atomic.AtomicLong(-1);

    /** Called when a subscription starts from {@code replayId}: events up to it were applied. */
    public void startingAfter(long replayId) {
        lastDelivered.set(replayId);
    }

    /**
     * Redelivery filter: replay ids increase along a channel, so an event at or below the newest
     * one already let through is a second delivery (camel-salesforce can register a channel's
     * listener twice around a handshake) and is dropped before it is staged again. The ordering
     * guard would make it a no-op in PostgreSQL anyway; this keeps the changelog free of repeats.
     */
    public boolean firstDelivery(StagedEvent event) {
        return lastDelivered.getAndAccumulate(event.replayId(), Math::max) < event.replayId();
    }

    /** Dead-letters a message {@link #intake} could not read, with the message as received. */
    public void rejectMessage(org.apache.camel.Exchange exchange) {
        Exception cause = exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT, Exception.class);
        String raw = exchange.getMessage().getBody(String.class);
        deadLetters.rawMessage(mapping.name(), channel, raw, "unreadable change event: "
                + (cause == null ? "unknown" : cause.getMessage()));
        metrics.deadLettered(mapping.name(), 1);
    }

    /** Stages a batch, applies it and moves the replay position, or throws a retriable error. */
    public ApplyResult stageAndApply(List<StagedEvent> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        long first = batch.get(0).replayId();
        long last = batch.get(batch.size() - 1).replayId();
        Instant firstTime = batch.get(0).commitTime().orElse(Instant.now());
        String key = StagingKeys.changes(mapping.object(), firstTime, first, last);
        staging.put(key, NdJson.encode(batch));
        return apply(batch, key);
    }

    /** Applies already staged events (also used to re-apply a range of the changelog). */
    public ApplyResult apply(List<StagedEvent> batch, String stagedKey) {
        long last = batch.get(batch.size() - 1).replayId();
        List<Change> changes = new ArrayList<>(batch.size());
        for (StagedEvent e : batch) {
            try {
                changes.addAll(CdcEvents.toChanges(mapping.name(), e.header(), e.payload(), e.replayId()));
            } catch (CdcEvents.MalformedEventException | ClassCastException | IllegalArgumentException ex) {
                deadLetters.rawEvent(mapping.name(), e, "malformed change event (staged in " + stagedKey + "): " + ex.getMessage());
                metrics.deadLettered(mapping.name(), 1);
            }
        }
        boolean hasResync = changes.stream().anyMatch(c -> c.op() == Change.Op.RESYNC);
        // The position must not pass a GAP event before its records are re-read.
        PositionUpdate position = hasResync ? null : new PositionUpdate(orgId, channel, last);
        ApplyResult result = guarded(changes, position);
        metrics.applied(mapping.name(), result, batch);
        List<String> reread = new ArrayList<>(result.missingRecords());
        for (Change c : result.resyncs()) {
            if (c.sfid() == null) {
                resyncs.queueObjectResync(mapping, "overflow", c.commitTime().minusSeconds(60));
            } else {
                reread.add(c.sfid());
            }
        }
        if (!reread.isEmpty()) {
            rereadRecords(reread, "gap-reread");
        }
        if (hasResync) {
            positions.set(orgId, channel, last);
        }
        if (result.deadLettered() > 0) {
            LOG.warnf("mapping '%s': %d record(s) dead-lettered in batch %s, first: %s", mapping.name(),
                    result.deadLettered(), stagedKey, result.deadLetters().get(0).error());
        }
        return result;
    }

    /** Re-reads records from Salesforce (queryAll, 200 Ids per query) and applies them. */
    public ApplyResult rereadRecords(List<String> ids, String why) {
        List<Map<String, Object>> records = reader.byIds(mapping.object(), fieldNames(), ids);
        List<Change> changes = RecordSnapshots.toChanges(mapping.name(), records, why);
        ApplyResult result = guarded(changes, null);
        LOG.infof("mapping '%s': re-read %d record(s) after %s, %d applied", mapping.name(), records.size(), why, result.applied());
        return result;
    }

    /**
     * Applies Salesforce changes after the echo and conflict step (two-way mappings): our own
     * writes coming back lose what we wrote, concurrent edits resolve per policy. Holds the
     * mapping's write lock so an echo is never judged before the write that caused it is recorded.
     */
    private ApplyResult guarded(List<Change> changes, PositionUpdate position) {
        return guard == null ? applier.apply(mapping, changes, position) : guard.apply(applier, mapping, changes, position);
    }

    List<String> fieldNames() {
        return fieldNamesOf(mapping);
    }

    private static List<String> fieldNamesOf(ResolvedMapping mapping) {
        List<String> names = new ArrayList<>();
        for (FieldColumn f : mapping.fields()) {
            names.add(f.field());
        }
        return names;
    }
}
