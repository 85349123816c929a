package sync.outbound;

import com.fasterxml.jackson.core.type.TypeReference;
import org.jboss.logging.Logger;
import sync.apply.PostgresApplier;
import sync.config.SyncConfig;
import sync.salesforce.BulkIngestWriter;
import sync.salesforce.SObjectWriter;
import sync.salesforce.SalesforceError;
import sync.salesforce.SalesforceRejectedException;
import sync.salesforce.SalesforceUnavailableException;
import sync.salesforce.WriteResult;
import sync.sql.Identifiers;
import sync.sql.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes the queued PostgreSQL changes of each mapping to Salesforce: claims the pending ones
 * (oldest first, a record waiting for a retry holds back its later changes), plans the calls
 * ({@link OutboundPlan}), sends them as sObject Collections calls of up to {@code batch-size}
 * records and records every outcome: sent (with the Id of a created record written back into
 * the row, in a session tagged with a replication origin so the write-back is never captured),
 * retried later with backoff (transient errors), or dead-lettered with Salesforce's code and
 * message (the rest of the batch proceeds).
 *
 * <p>A batch is sent when it is full or its oldest change has waited {@code batch-max-wait-millis}.
 * One writer per process; it is driven by the salesforce-writer route.
 *
 * <p><b>Backlogs</b>: while more than {@code bulk-threshold} changes of a mapping are due, a round
 * claims up to {@value #BULK_ROUND} of them, and each operation (create, upsert, update, delete)
 * with more than {@code bulk-threshold} records goes in one Bulk API 2.0 ingest job instead of
 * calls of {@code batch-size}: create, upload, close, a few polls, results, whatever the size.
 * The outcome of each record is recorded exactly as for sObject Collections. Results come back
 * unordered; they are matched to the records by the whole row Salesforce echoes (the record's Id
 * for updates and deletes, its external Id for upserts, every value sent for creates; records of
 * identical values are interchangeable). The job's Id is stored on its changes
 * ({@code sync.outbound_change.bulk_job}) before any record is uploaded, so after a stop the
 * writer reads what the job did instead of sending its records again ({@link #recover()}).
 */
public final class OutboundWriter {
    private static final Logger LOG = Logger.getLogger(OutboundWriter.class);
    private static final TypeReference<LinkedHashMap<String, Object>> FIELDS = new TypeReference<>() {
    };
    /** Changes claimed per round and mapping: several calls' worth. */
    private static final int ROUND = 2_000;
    /** Changes claimed per round while the mapping's backlog is above the bulk threshold: one ingest job per operation. */
    static final int BULK_ROUND = 50_000;

    private final DataSource dataSource;
    private final SObjectWriter salesforce;
    private final BulkIngestWriter bulk;
    private final PostgresApplier origins;
    private final SyncConfig.Outbound config;
    private final ApiBudget budget;
    private final Map<String, OutboundMapping> mappings;
    private final Map<String, Instant> pausedUntil = new HashMap<>();
    private final OutboundMetrics metrics;
    private final EchoGuard guard;
    private final sync.salesforce.SalesforceReader reader;
    /**
     * Set when outcomes could not be recorded, or a bulk job's outcome is not known yet: those
     * changes stay 'sending' until reconciled.
     */
    private boolean interrupted;
    private Instant recoverPausedUntil = Instant.EPOCH;
    private int recoverFailures;

    public OutboundWriter(DataSource dataSource, SObjectWriter salesforce, BulkIngestWriter bulk, PostgresApplier origins,
                          SyncConfig.Outbound config, ApiBudget budget, Map<String, OutboundMapping> mappings,
                          OutboundMetrics metrics, EchoGuard guard, sync.salesforce.SalesforceReader reader) {
        this.bulk = bulk;
        this.guard = guard;
        this.reader = reader;
        this.dataSource = dataSource;
        this.salesforce = salesforce;
        this.origins = origins;
        this.config = config;
        this.budget = budget;
        this.mappings = Map.copyOf(mappings);
        this.metrics = metrics;
    }

    public Map<String, OutboundMapping> mappings() {
        return mappings;
    }

    /** One round over every mapping; returns the number of queued changes settled. */
    public synchronized int drainAll() {
        if (interrupted) {
            if (Instant.now().isBefore(recoverPausedUntil)) {
                return 0;
            }
            try {
                recover();
            } catch (SalesforceUnavailableException | OutboundUnavailableException e) {
                long wait = backoff(++recoverFailures);
                recoverPausedUntil = Instant.now().plusMillis(wait);
                LOG.warnf("reconciling interrupted writes to Salesforce paused for %d ms: %s", wait, e.getMessage());
                return 0;
            }
            interrupted = false;
            recoverFailures = 0;
        }
        int done = 0;
        for (OutboundMapping m : mappings.values()) {
            Instant paused = pausedUntil.get(m.name());
            if (paused != null && Instant.now().isBefore(paused)) {
                continue;
            }
            try {
                int n;
                do {
                    n = drain(m);
                    done += n;
                } while (n > 0);
            } catch (SalesforceUnavailableException | OutboundUnavailableException e) {
                long wait = backoff(failures.merge(m.name(), 1, Integer::sum));
                pausedUntil.put(m.name(), Instant.now().plusMillis(wait));
                LOG.warnf("mapping '%s': writing to Salesforce paused for %d ms: %s", m.name(), wait, e.getMessage());
                continue;
            }
            failures.remove(m.name());
        }
        return done;
    }

    private final Map<String, Integer> failures = new HashMap<>();

    private static long backoff(int failures) {
        return Math.min(30_000, 500L << Math.min(6, failures));
    }

    /** Claims and writes one round of a mapping's queue; 0 when nothing is due. */
    int drain(OutboundMapping m) {
        if (!budget.mayCall()) {
            return 0;
        }
        List<OutboundPlan.Queued> queued;
        OutboundPlan.Plan plan;
        try (Connection c = dataSource.getConnection()) {
            if (!due(c, m)) {
                return 0;
            }
            int threshold = config.bulkThreshold();
            queued = claimable(c, m, threshold > 0 && backlog(c, m, threshold + 1) > threshold
                    ? Math.max(BULK_ROUND, threshold + 1) : ROUND);
            if (queued.isEmpty()) {
                return 0;
            }
            plan = withCurrentValues(c, m, OutboundPlan.plan(m, queued, knownIds(c, m, queued)));
        } catch (SQLException e) {
            throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot read the outbound queue: " + e.getMessage(), e);
        }
        Map<Long, OutboundPlan.Queued> byId = new HashMap<>();
        queued.forEach(q -> byId.put(q.id(), q));
        Outcomes out = new Outcomes();
        out.sent.addAll(plan.noops().stream().map(id -> new Sent(id, null)).toList());
        for (OutboundPlan.Item item : plan.unknown()) {
            out.failed.add(new Failed(item, "cannot delete " + m.object() + " for row " + m.keyColumn() + "=" + item.pgKey()
                    + ": its Salesforce Id is unknown (the delete logged no " + m.mapping().idColumn() + "; set REPLICA"
                    + " IDENTITY FULL on " + m.mapping().qualifiedTable() + ")"));
        }
        List<OutboundPlan.Item> items = plan.items();
        ReentrantLock lock = guard.lock(m.name());
        lock.lock();
        try {
            markSending(m, items);
            sendAll(m, plan, items, out);
        } finally {
            lock.unlock();
        }
        return queued.size() - plan.deferred().size();
    }

    /**
     * A record to create gets every mapped column the row has now, not only the changed ones: its
     * insert may have failed (dead-lettered) and this is a later update, which carries only what
     * that update changed. Values the queued changes carry stay as they are.
     */
    private static OutboundPlan.Plan withCurrentValues(Connection c, OutboundMapping m, OutboundPlan.Plan plan) throws SQLException {
        List<String> keys = plan.items().stream().filter(i -> i.kind() == OutboundPlan.Kind.CREATE || i.kind() == OutboundPlan.Kind.UPSERT)
                .map(OutboundPlan.Item::pgKey).toList();
        if (keys.isEmpty()) {
            return plan;
        }
        Map<String, CurrentRows.Row> rows = CurrentRows.read(c, m, keys);
        List<OutboundPlan.Item> items = new ArrayList<>(plan.items().size());
        for (OutboundPlan.Item item : plan.items()) {
            CurrentRows.Row row = rows.get(item.pgKey());
            if (row == null || (item.kind() != OutboundPlan.Kind.CREATE && item.kind() != OutboundPlan.Kind.UPSERT)) {
                items.add(item);
                continue;
            }
            Map<String, Object> fields = new LinkedHashMap<>(item.fields());
            try {
                row.values(m, m.createable(), false).forEach(fields::putIfAbsent);
            } catch (RuntimeException e) {
                // The queued values go as they are; the unconvertible column is dead-lettered by its own change.
                LOG.debugf("mapping '%s', row %s: current values not added to the create: %s", m.name(), item.pgKey(), e.getMessage());
            }
            items.add(new OutboundPlan.Item(item.kind(), item.pgKey(), item.sfid(), fields, item.rows()));
        }
        return new OutboundPlan.Plan(items, plan.noops(), plan.unknown(), plan.deferred());
    }

    /**
     * Sends the round kind by kind, in the order of {@link OutboundPlan.Kind}. A kind above the
     * bulk threshold goes through Bulk API 2.0; the others become sObject Collections calls of at
     * most {@code batch-size} records, and when there are several they travel together in
     * Composite calls (one API call each) instead of one call apiece.
     */
    private void sendAll(OutboundMapping m, OutboundPlan.Plan plan, List<OutboundPlan.Item> items, Outcomes out) {
        try {
            List<Chunk> chunks = new ArrayList<>();
            for (OutboundPlan.Kind kind : OutboundPlan.Kind.values()) {
                List<OutboundPlan.Item> ofKind = plan.of(kind);
                if (config.bulkThreshold() > 0 && ofKind.size() > config.bulkThreshold()) {
                    sendCollections(m, chunks, out); // the kinds before it go first
                    chunks.clear();
                    sendBulk(m, kind, ofKind, out);
                } else {
                    chunks.addAll(chunks(kind, ofKind));
                }
            }
            sendCollections(m, chunks, out);
        } catch (SalesforceUnavailableException | OutboundUnavailableException e) {
            out.retry.addAll(out.unsettled(items));
            record(m, out, e.getMessage());
            throw e;
        }
        record(m, out, null);
    }

    /** A batch is due when full, or when its oldest change has waited long enough. */
    private boolean due(Connection c, OutboundMapping m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) >= ? OR min(captured_at) <= now() - make_interval(secs => ? / 1000.0)
                FROM (SELECT captured_at FROM sync.outbound_change
                      WHERE mapping = ? AND status = 'pending' AND (next_attempt IS NULL OR next_attempt <= now())
                      ORDER BY id LIMIT ?) q""")) {
            ps.setInt(1, config.batchSize());
            ps.setInt(2, config.batchMaxWaitMillis());
            ps.setString(3, m.name());
            ps.setInt(4, config.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Due changes of the mapping, counted up to {@code limit}. */
    private static int backlog(Connection c, OutboundMapping m, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM (SELECT 1 FROM sync.outbound_change
                      WHERE mapping = ? AND status = 'pending' AND (next_attempt IS NULL OR next_attempt <= now())
                      LIMIT ?) q""")) {
            ps.setString(1, m.name());
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<OutboundPlan.Queued> claimable(Connection c, OutboundMapping m, int round) throws SQLException {
        List<OutboundPlan.Queued> out = new ArrayList<>();
        // Keys with a change in flight or waiting for a retry (always older than the pending ones:
        // claims go oldest first) hold back their later changes. NOT IN runs as one hashed subplan
        // per claim whatever the statistics say; checked row by row (NOT EXISTS, also against a
        // materialized CTE of the waiting keys), stale statistics made it a nested loop over the
        // queue, or over the waiting keys, for every row: seconds per claim on a backlog.
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, op, pg_key, sfid, fields::text, commit_at FROM sync.outbound_change
                WHERE mapping = ? AND status = 'pending' AND (next_attempt IS NULL OR next_attempt <= now())
                  AND pg_key NOT IN (SELECT pg_key FROM sync.outbound_change
                                     WHERE mapping = ? AND (status = 'sending' OR (status = 'pending' AND next_attempt > now())))
                ORDER BY id LIMIT ?""")) {
            ps.setString(1, m.name());
            ps.setString(2, m.name());
            ps.setInt(3, round);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OutboundPlan.Queued(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            parse(rs.getString(5)), rs.getTimestamp(6).toInstant()));
                }
            }
        }
        return out;
    }

    /**
     * Salesforce Ids of the keys: the row's Id column, else the last Id the queue saw for the key
     * since its last delete was sent (a row inserted again with a deleted row's key is a new record).
     */
    private Map<String, String> knownIds(Connection c, OutboundMapping m, List<OutboundPlan.Queued> queued) throws SQLException {
        String[] keys = queued.stream().map(OutboundPlan.Queued::pgKey).distinct().toArray(String[]::new);
        Map<String, String> known = new HashMap<>();
        // The keys' last sent delete comes from a window over their own rows: a correlated NOT EXISTS
        // was planned, on the queue's stale statistics, as a scan of every sent delete per row.
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_key, sfid FROM (
                    SELECT id, pg_key, op, status, coalesce(sfid, result_id) AS sfid,
                           max(id) FILTER (WHERE op = 'DELETE' AND status = 'sent') OVER (PARTITION BY pg_key) AS last_delete
                    FROM sync.outbound_change WHERE mapping = ? AND pg_key = ANY(?)) k
                WHERE sfid IS NOT NULL AND NOT (op = 'DELETE' AND status = 'sent') AND (last_delete IS NULL OR id > last_delete)
                ORDER BY id""")) {
            ps.setString(1, m.name());
            ps.setArray(2, c.createArrayOf("text", keys));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        String sql = "SELECT " + Identifiers.quote(m.keyColumn()) + "::text, " + Identifiers.quote(m.mapping().idColumn())
                + " FROM " + m.mapping().qualifiedTable() + " WHERE " + Identifiers.quote(m.keyColumn())
                + " = ANY(?::" + m.keyType() + "[]) AND " + Identifiers.quote(m.mapping().idColumn()) + " IS NOT NULL";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", keys));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return known;
    }

    private void markSending(OutboundMapping m, List<OutboundPlan.Item> items) {
        Long[] ids = items.stream().flatMap(i -> i.rows().stream()).toArray(Long[]::new);
        if (ids.length == 0) {
            return;
        }
        // A join with the ids, as record() does: "id = ANY(?)" was planned, on the queue's stale statistics,
        // as a scan of the whole queue testing every row against every id.
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE sync.outbound_change o SET status = 'sending', sending_at = now(), attempts = o.attempts + 1, "
                        + "bulk_job = NULL FROM unnest(?::bigint[]) AS v(id) WHERE o.id = v.id AND o.status = 'pending'")) {
            ps.setArray(1, c.createArrayOf("int8", ids));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot claim queued changes: " + e.getMessage(), e);
        }
    }

    /** The items of a kind cut into sObject Collections calls of at most batch-size records. */
    private List<Chunk> chunks(OutboundPlan.Kind kind, List<OutboundPlan.Item> items) {
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += config.batchSize()) {
            chunks.add(new Chunk(kind, items.subList(i, Math.min(items.size(), i + config.batchSize()))));
        }
        return chunks;
    }

    /** The sObject Collections calls, in order: a single one directly, several in Composite calls. */
    private void sendCollections(OutboundMapping m, List<Chunk> chunks, Outcomes out) {
        for (int i = 0; i < chunks.size(); i += SObjectWriter.MAX_COMPOSITE_COLLECTIONS) {
            List<Chunk> group = chunks.subList(i, Math.min(chunks.size(), i + SObjectWriter.MAX_COMPOSITE_COLLECTIONS));
            if (group.size() == 1) {
                send(m, group.get(0).kind(), group.get(0).items(), out);
            } else {
                sendComposite(m, group, out);
            }
        }
    }

    /** One sObject Collections call. */
    private void send(OutboundMapping m, OutboundPlan.Kind kind, List<OutboundPlan.Item> items, Outcomes out) {
        List<WriteResult> results;
        try {
            budget.called();
            results = switch (kind) {
                case CREATE -> salesforce.create(m.object(), records(kind, items));
                case UPSERT -> salesforce.upsert(m.object(), m.externalIdField().orElseThrow(), records(kind, items));
                case UPDATE -> salesforce.update(m.object(), records(kind, items));
                case DELETE -> salesforce.delete(items.stream().map(OutboundPlan.Item::sfid).toList());
            };
        } catch (SalesforceRejectedException e) {
            for (OutboundPlan.Item item : items) {
                out.failed.add(new Failed(item, e.getMessage()));
            }
            return;
        } finally {
            salesforce.apiUsage().ifPresent(u -> budget.observe(u.used(), u.max()));
        }
        metrics.call(m.name(), kind.name(), items.size());
        settle(kind, items, results, out);
    }

    /**
     * Several sObject Collections calls as one Composite call. Each subrequest's outcome is handled
     * as that call's would be alone: results settle record by record, a rejected call dead-letters
     * its records, and an unavailable one is thrown, once the subrequests that did run (Salesforce
     * ran them all) are settled, so that it and the rest of the round are retried.
     */
    private void sendComposite(OutboundMapping m, List<Chunk> chunks, Outcomes out) {
        List<SObjectWriter.Outcome> outcomes;
        try {
            budget.called();
            outcomes = salesforce.composite(chunks.stream().map(c -> switch (c.kind()) {
                case CREATE -> salesforce.createCall(m.object(), records(c.kind(), c.items()));
                case UPSERT -> salesforce.upsertCall(m.object(), m.externalIdField().orElseThrow(), records(c.kind(), c.items()));
                case UPDATE -> salesforce.updateCall(m.object(), records(c.kind(), c.items()));
                case DELETE -> salesforce.deleteCall(c.items().stream().map(OutboundPlan.Item::sfid).toList());
            }).toList());
        } catch (SalesforceRejectedException e) {
            chunks.forEach(c -> c.items().forEach(item -> out.failed.add(new Failed(item, e.getMessage()))));
            return;
        } finally {
            salesforce.apiUsage().ifPresent(u -> budget.observe(u.used(), u.max()));
        }
        metrics.compositeCall(m.name());
        RuntimeException unavailable = null;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            SObjectWriter.Outcome o = outcomes.get(i);
            if (o.failure() instanceof SalesforceRejectedException e) {
                c.items().forEach(item -> out.failed.add(new Failed(item, e.getMessage())));
            } else if (o.failure() != null) {
                unavailable = unavailable == null ? o.failure() : unavailable;
            } else {
                metrics.records(m.name(), c.kind().name(), c.items().size());
                settle(c.kind(), c.items(), o.results(), out);
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
    }

    /** One call's results, in the order of its items; an item without a result goes again. */
    private static void settle(OutboundPlan.Kind kind, List<OutboundPlan.Item> items, List<WriteResult> results, Outcomes out) {
        for (int i = 0; i < items.size(); i++) {
            WriteResult r = i < results.size() ? results.get(i) : null;
            if (r == null) {
                out.retry.add(items.get(i));
            } else {
                settle(kind, items.get(i), r, out);
            }
        }
    }

    /**
     * The operation's records as one Bulk API 2.0 ingest job (jobs of at most ~100 MB of CSV).
     * Until the upload is closed the job processes nothing, so a failure up to then retries (or,
     * refused, dead-letters) the records like a failed call; from the close on, the records wait
     * as 'sending' under the job's Id until its results are read.
     */
    private void sendBulk(OutboundMapping m, OutboundPlan.Kind kind, List<OutboundPlan.Item> items, Outcomes out) {
        List<Map<String, Object>> records = records(kind, items);
        List<Integer> parts;
        try {
            parts = BulkIngestWriter.parts(records);
        } catch (IllegalArgumentException e) {
            LOG.warnf("mapping '%s': %d %s record(s) cannot go through Bulk API 2.0 (%s); sending them in sObject"
                    + " Collections calls", m.name(), items.size(), kind, e.getMessage());
            sendCollections(m, chunks(kind, items), out);
            return;
        }
        int from = 0;
        for (int to : parts) {
            sendJob(m, kind, items.subList(from, to), records.subList(from, to), out);
            from = to;
        }
    }

    private void sendJob(OutboundMapping m, OutboundPlan.Kind kind, List<OutboundPlan.Item> items,
                         List<Map<String, Object>> records, Outcomes out) {
        long calls = bulk.calls();
        BulkIngestWriter.Job job = null;
        try {
            try {
                job = bulk.open(operation(kind), m.object(), kind == OutboundPlan.Kind.UPSERT
                        ? m.externalIdField().orElseThrow() : null, records);
                remember(m, kind, job.id(), items);
                bulk.upload(job);
            } catch (IllegalArgumentException e) {
                LOG.warnf("mapping '%s': %d %s record(s) cannot go through Bulk API 2.0 (%s); sending them in sObject"
                        + " Collections calls", m.name(), items.size(), kind, e.getMessage());
                sendCollections(m, chunks(kind, items), out);
                return;
            } catch (SalesforceRejectedException e) {
                abort(job);
                items.forEach(item -> out.failed.add(new Failed(item, e.getMessage())));
                return;
            } catch (RuntimeException e) {
                abort(job);
                throw e;
            }
            BulkIngestWriter.Outcome outcome;
            try {
                bulk.close(job);
                outcome = bulk.await(job);
            } catch (SalesforceUnavailableException | SalesforceRejectedException e) {
                out.unknown.addAll(items);
                LOG.warnf("mapping '%s': the outcome of Bulk API 2.0 ingest job %s (%d %s record(s)) is not known yet; they"
                        + " wait until it is read: %s", m.name(), job.id(), items.size(), kind, e.getMessage());
                if (e instanceof SalesforceUnavailableException unavailable) {
                    throw unavailable;
                }
                return;
            }
            metrics.bulkJob(m.name(), kind.name(), bulk.calls() - calls, items.size());
            settle(kind, items, outcome, out);
        } finally {
            budget.called(bulk.calls() - calls);
            bulk.apiUsage().ifPresent(u -> budget.observe(u.used(), u.max()));
        }
    }

    /** A job that never got its upload closed processes nothing; abort it so it does not linger. */
    private void abort(BulkIngestWriter.Job job) {
        if (job != null) {
            bulk.abort(job.id());
        }
    }

    /** Records the job, and its Id on the changes it carries, before any record is uploaded. */
    private void remember(OutboundMapping m, OutboundPlan.Kind kind, String jobId, List<OutboundPlan.Item> items) {
        try (Connection c = dataSource.getConnection()) {
            Transactions.run(c, conn -> {
                try (PreparedStatement job = conn.prepareStatement(
                        "INSERT INTO sync.outbound_bulk_job (id, mapping, operation, records) VALUES (?, ?, ?, ?)");
                     PreparedStatement rows = conn.prepareStatement("UPDATE sync.outbound_change SET bulk_job = ? WHERE id = ANY(?)")) {
                    job.setString(1, jobId);
                    job.setString(2, m.name());
                    job.setString(3, kind.name());
                    job.setInt(4, items.size());
                    job.executeUpdate();
                    rows.setString(1, jobId);
                    rows.setArray(2, conn.createArrayOf("int8", items.stream().flatMap(i -> i.rows().stream()).toArray()));
                    rows.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot record Bulk API 2.0 ingest job "
                    + jobId + ": " + e.getMessage(), e);
        }
    }

    /**
     * A job's outcome, record by record. A record it reported no result for was not processed
     * (a failed job's records are dead-lettered with the job's error; a job never closed did
     * nothing, so they go again) or cannot be told apart: an update, upsert or delete goes again,
     * a create waits for {@link #recover()} to look for it in Salesforce before sending it again.
     */
    private static void settle(OutboundPlan.Kind kind, List<OutboundPlan.Item> items, BulkIngestWriter.Outcome outcome,
                               Outcomes out) {
        for (int i = 0; i < items.size(); i++) {
            OutboundPlan.Item item = items.get(i);
            WriteResult r = outcome.results().get(i);
            if (r != null) {
                settle(kind, item, r, out);
            } else if (outcome.failed()) {
                out.failed.add(new Failed(item, "Bulk API 2.0 ingest job " + outcome.jobId() + " failed: "
                        + describe(List.of(outcome.error()))));
            } else if (kind == OutboundPlan.Kind.CREATE && !outcome.neverClosed()) {
                out.unknown.add(item);
            } else {
                out.retry.add(item);
            }
        }
    }

    /** One record's result, from either API. */
    private static void settle(OutboundPlan.Kind kind, OutboundPlan.Item item, WriteResult r, Outcomes out) {
        if (r.success()) {
            for (long row : item.rows()) {
                out.sent.add(new Sent(row, r.id() != null ? r.id() : item.sfid()));
            }
            if ((kind == OutboundPlan.Kind.CREATE || kind == OutboundPlan.Kind.UPSERT) && r.id() != null) {
                out.writeBack.put(item.pgKey(), r.id());
            }
        } else if (kind == OutboundPlan.Kind.DELETE && isGone(r)) {
            item.rows().forEach(row -> out.sent.add(new Sent(row, item.sfid())));
        } else if (r.retriable()) {
            out.retry.add(item);
        } else {
            out.failed.add(new Failed(item, describe(r.errors())));
        }
    }

    /** The records a kind of write sends: the fields, plus the Id for updates; only the Id for deletes. */
    private static List<Map<String, Object>> records(OutboundPlan.Kind kind, List<OutboundPlan.Item> items) {
        return items.stream().map(i -> switch (kind) {
            case CREATE, UPSERT -> i.fields();
            case UPDATE -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("Id", i.sfid());
                r.putAll(i.fields());
                yield r;
            }
            case DELETE -> Map.<String, Object>of("Id", i.sfid());
        }).toList();
    }

    private static BulkIngestWriter.Operation operation(OutboundPlan.Kind kind) {
        return switch (kind) {
            case CREATE -> BulkIngestWriter.Operation.INSERT;
            case UPSERT -> BulkIngestWriter.Operation.UPSERT;
            case UPDATE -> BulkIngestWriter.Operation.UPDATE;
            case DELETE -> BulkIngestWriter.Operation.DELETE;
        };
    }

    /** Deleting a record that is already deleted (or gone) has the intended effect. */
    private static boolean isGone(WriteResult r) {
        return r.errors().stream().anyMatch(e -> "ENTITY_IS_DELETED".equals(e.statusCode()));
    }

    private static String describe(List<SalesforceError> errors) {
        List<String> parts = new ArrayList<>();
        for (SalesforceError e : errors) {
            parts.add(e.statusCode() + ": " + e.message() + (e.fields() == null || e.fields().isEmpty() ? "" : " " + e.fields()));
        }
        return parts.isEmpty() ? "rejected by Salesforce without an error" : String.join("; ", parts);
    }

    /** Stores every outcome of a round in one transaction (tagged: it writes Ids back into the table). */
    private void record(OutboundMapping m, Outcomes out, String transientError) {
        try (Connection c = dataSource.getConnection()) {
            origins.tag(c);
            Transactions.run(c, tx -> {
                if (!out.writeBack.isEmpty()) {
                    String sql = "UPDATE " + m.mapping().qualifiedTable() + " t SET " + Identifiers.quote(m.mapping().idColumn())
                            + " = v.sfid FROM unnest(?::" + m.keyType() + "[], ?::text[]) AS v(k, sfid) WHERE t."
                            + Identifiers.quote(m.keyColumn()) + " = v.k AND t." + Identifiers.quote(m.mapping().idColumn())
                            + " IS DISTINCT FROM v.sfid";
                    try (PreparedStatement ps = tx.prepareStatement(sql)) {
                        ps.setArray(1, tx.createArrayOf("text", out.writeBack.keySet().toArray()));
                        ps.setArray(2, tx.createArrayOf("text", out.writeBack.values().toArray()));
                        ps.executeUpdate();
                    }
                }
                if (!out.sent.isEmpty()) {
                    try (PreparedStatement ps = tx.prepareStatement("""
                            UPDATE sync.outbound_change o SET status = 'sent', sent_at = now(), error = NULL,
                                   result_id = coalesce(v.sfid, o.result_id)
                            FROM unnest(?::bigint[], ?::text[]) AS v(id, sfid) WHERE o.id = v.id""")) {
                        ps.setArray(1, tx.createArrayOf("int8", out.sent.stream().map(Sent::row).toArray()));
                        ps.setArray(2, tx.createArrayOf("text", out.sent.stream().map(Sent::sfid).toArray()));
                        ps.executeUpdate();
                    }
                    OutboundDeadLetters.resolveSent(tx, out.sent.stream().map(Sent::row).toArray());
                }
                if (!out.retry.isEmpty()) {
                    try (PreparedStatement ps = tx.prepareStatement("""
                            UPDATE sync.outbound_change SET status = 'pending', error = ?,
                                   next_attempt = now() + make_interval(secs => least(30, 0.2 * power(2, least(attempts, 8))))
                            WHERE id = ANY(?)""")) {
                        ps.setString(1, transientError == null ? "retrying" : transientError);
                        ps.setArray(2, tx.createArrayOf("int8", out.retry.stream().flatMap(i -> i.rows().stream()).toArray()));
                        ps.executeUpdate();
                    }
                }
                for (Failed f : out.failed) {
                    long letter = OutboundDeadLetters.insert(tx, m, f.item(), f.error());
                    try (PreparedStatement ps = tx.prepareStatement(
                            "UPDATE sync.outbound_change SET status = 'failed', error = ?, dead_letter = ? WHERE id = ANY(?)")) {
                        ps.setString(1, f.error());
                        ps.setLong(2, letter);
                        ps.setArray(3, tx.createArrayOf("int8", f.item().rows().toArray()));
                        ps.executeUpdate();
                    }
                }
            });
        } catch (SQLException e) {
            // The Salesforce writes happened; the rows stay 'sending' and are reconciled first thing next round.
            interrupted = true;
            guard.hold(m.name());
            throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot record the outcome of "
                    + (out.sent.size() + out.failed.size()) + " write(s): " + e.getMessage(), e);
        }
        if (!out.unknown.isEmpty()) {
            interrupted = true; // reconciled first thing next round; echoes of these creates wait until then
            guard.hold(m.name());
        }
        metrics.settled(m.name(), out.sent.size(), out.failed.size(), out.retry.size());
        if (!out.failed.isEmpty()) {
            LOG.warnf("mapping '%s': %d record(s) dead-lettered writing to Salesforce, first: %s", m.name(),
                    out.failed.size(), out.failed.get(0).error());
        }
    }

    /**
     * After a restart: changes left 'sending' were maybe written, maybe not. Those sent in a Bulk
     * API 2.0 ingest job take the outcome the job reports (a job never closed is aborted: it wrote
     * nothing). Updates, deletes and upserts by external Id whose outcome is still unknown are
     * idempotent and simply go again. A create is not: if Salesforce has a record created since
     * that attempt (by anyone) with exactly the values sent, it is adopted (its Id written back,
     * no second create); otherwise the create goes again.
     */
    public synchronized void recover() {
        for (OutboundMapping m : mappings.values()) {
            try {
                recover(m);
            } catch (SQLException e) {
                throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot reconcile interrupted writes: "
                        + e.getMessage(), e);
            }
        }
    }

    private void recover(OutboundMapping m) throws SQLException {
        List<OutboundPlan.Queued> sending = new ArrayList<>();
        Map<String, List<OutboundPlan.Queued>> byJob = new LinkedHashMap<>();
        Instant since = null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, op, pg_key, sfid, fields::text, commit_at, sending_at, bulk_job FROM sync.outbound_change "
                        + "WHERE mapping = ? AND status = 'sending' ORDER BY id")) {
            ps.setString(1, m.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OutboundPlan.Queued q = new OutboundPlan.Queued(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), parse(rs.getString(5)), rs.getTimestamp(6).toInstant());
                    String job = rs.getString(8);
                    if (job == null) {
                        sending.add(q);
                    } else {
                        byJob.computeIfAbsent(job, k -> new ArrayList<>()).add(q);
                    }
                    Instant at = rs.getTimestamp(7).toInstant();
                    since = since == null || at.isBefore(since) ? at : since;
                }
            }
        }
        if (since == null) {
            guard.release(m.name());
            return;
        }
        // Ids are written back and echoes recognised only once recorded: keep this mapping's applies out meanwhile.
        ReentrantLock lock = guard.lock(m.name());
        lock.lock();
        try (Connection c = dataSource.getConnection()) {
            Outcomes out = new Outcomes();
            for (Map.Entry<String, List<OutboundPlan.Queued>> job : byJob.entrySet()) {
                Set<Long> rows = new HashSet<>();
                job.getValue().forEach(q -> rows.add(q.id()));
                if (!resume(c, m, job.getKey(), rows, out)) {
                    sending.addAll(job.getValue());
                }
            }
            sending.sort(java.util.Comparator.comparingLong(OutboundPlan.Queued::id));
            List<OutboundPlan.Item> creates = new ArrayList<>(out.unknown);
            out.unknown.clear();
            creates.addAll(OutboundPlan.plan(m, sending, knownIds(c, m, sending)).of(OutboundPlan.Kind.CREATE));
            if (!creates.isEmpty()) {
                adopt(m, creates, since, out);
            }
            if (!out.sent.isEmpty() || !out.failed.isEmpty() || !out.retry.isEmpty()) {
                record(m, out, null);
            }
            try (PreparedStatement reset = c.prepareStatement(
                    "UPDATE sync.outbound_change SET status = 'pending' WHERE mapping = ? AND status = 'sending'")) {
                reset.setString(1, m.name());
                reset.executeUpdate();
            }
            guard.release(m.name());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads what an interrupted ingest job did and settles its changes still 'sending'. The job's
     * records are rebuilt from all the changes it carried, planned as they were when it was sent
     * (creates and upserts had no Salesforce Id then), so its results match them row for row.
     * False when the job was never recorded (so never uploaded to).
     */
    private boolean resume(Connection c, OutboundMapping m, String jobId, Set<Long> sending, Outcomes out) throws SQLException {
        OutboundPlan.Kind kind = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT operation FROM sync.outbound_bulk_job WHERE id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    kind = OutboundPlan.Kind.valueOf(rs.getString(1));
                }
            }
        }
        if (kind == null) {
            return false;
        }
        List<OutboundPlan.Queued> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, op, pg_key, sfid, fields::text, commit_at FROM "
                + "sync.outbound_change WHERE mapping = ? AND bulk_job = ? ORDER BY id")) {
            ps.setString(1, m.name());
            ps.setString(2, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboundPlan.Queued(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            parse(rs.getString(5)), rs.getTimestamp(6).toInstant()));
                }
            }
        }
        boolean hadIds = kind == OutboundPlan.Kind.UPDATE || kind == OutboundPlan.Kind.DELETE;
        List<OutboundPlan.Item> items = OutboundPlan.plan(m, rows, hadIds ? knownIds(c, m, rows) : Map.of()).of(kind);
        long calls = bulk.calls();
        Optional<BulkIngestWriter.Outcome> outcome;
        try {
            outcome = bulk.resume(jobId, records(kind, items));
        } finally {
            budget.called(bulk.calls() - calls);
        }
        List<OutboundPlan.Item> open = new ArrayList<>();
        List<WriteResult> results = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (sending.contains(items.get(i).rows().get(0))) {
                open.add(items.get(i));
                results.add(outcome.isPresent() ? outcome.get().results().get(i) : null);
            }
        }
        if (outcome.isPresent()) {
            BulkIngestWriter.Outcome o = outcome.get();
            settle(kind, open, new BulkIngestWriter.Outcome(o.jobId(), o.state(), o.error(), results), out);
            LOG.infof("mapping '%s': Bulk API 2.0 ingest job %s (%d %s record(s) unsettled) was interrupted; it ended %s",
                    m.name(), jobId, open.size(), kind, o.state());
        } else {
            LOG.warnf("mapping '%s': Bulk API 2.0 ingest job %s (%d %s record(s) unsettled) was interrupted and Salesforce"
                    + " no longer knows it; its changes go again (creates after a look in Salesforce)", m.name(), jobId,
                    open.size(), kind);
            if (kind == OutboundPlan.Kind.CREATE) {
                out.unknown.addAll(open);
            }
        }
        return true;
    }

    /** Creates whose outcome is unknown: a record created since with exactly the values sent is adopted. */
    private void adopt(OutboundMapping m, List<OutboundPlan.Item> creates, Instant since, Outcomes out) {
        List<String> fields = new ArrayList<>(m.createable());
        fields.add("CreatedDate");
        List<Map<String, Object>> candidates = new ArrayList<>();
        Instant from = since.minusSeconds(60);
        reader.since(m.object(), fields, from, page -> page.stream()
                .filter(r -> r.get("CreatedDate") != null
                        && !Instant.parse(normalize(r.get("CreatedDate").toString())).isBefore(from))
                .forEach(candidates::add));
        int adopted = 0;
        for (OutboundPlan.Item item : creates) {
            Map<String, Object> match = candidates.stream().filter(r -> item.fields().entrySet().stream()
                    .allMatch(f -> stored(f.getValue(), r.get(f.getKey())))).findFirst().orElse(null);
            if (match != null) {
                candidates.remove(match);
                String id = match.get("Id").toString();
                item.rows().forEach(row -> out.sent.add(new Sent(row, id)));
                out.writeBack.put(item.pgKey(), id);
                adopted++;
            }
        }
        LOG.infof("mapping '%s': %d create(s) were interrupted by a stop; %d found in Salesforce and adopted, the"
                + " rest are sent again", m.name(), creates.size(), adopted);
    }

    /** Whether Salesforce holds the value sent (it stores empty text as null). */
    private static boolean stored(Object sent, Object held) {
        return EchoGuard.same("".equals(sent) ? null : sent, "".equals(held) ? null : held);
    }

    private static String normalize(String datetime) {
        // Salesforce writes +0000 where Instant.parse wants Z
        return datetime.endsWith("+0000") ? datetime.substring(0, datetime.length() - 5) + "Z" : datetime;
    }

    static Map<String, Object> parse(String json) {
        try {
            return OutboundQueue.JSON.readValue(json, FIELDS);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable fields in sync.outbound_change: " + e.getMessage(), e);
        }
    }

    private record Sent(long row, String sfid) {
    }

    private record Failed(OutboundPlan.Item item, String error) {
    }

    /** One sObject Collections call's worth of a round: items of one kind, at most batch-size. */
    private record Chunk(OutboundPlan.Kind kind, List<OutboundPlan.Item> items) {
    }

    /** Outcomes of one round. */
    private static final class Outcomes {
        final List<Sent> sent = new ArrayList<>();
        final List<OutboundPlan.Item> retry = new ArrayList<>();
        final List<Failed> failed = new ArrayList<>();
        final Map<String, String> writeBack = new LinkedHashMap<>();
        /** Written maybe: left 'sending' for {@link #recover()} (creates of a bulk job whose results lack them). */
        final List<OutboundPlan.Item> unknown = new ArrayList<>();

        /** The items that have no outcome yet. */
        List<OutboundPlan.Item> unsettled(List<OutboundPlan.Item> items) {
            Set<Long> rows = new HashSet<>();
            sent.forEach(s -> rows.add(s.row()));
            retry.forEach(i -> rows.addAll(i.rows()));
            failed.forEach(f -> rows.addAll(f.item().rows()));
            unknown.forEach(i -> rows.addAll(i.rows()));
            return items.stream().filter(i -> !rows.contains(i.rows().get(0))).toList();
        }
    }
}
