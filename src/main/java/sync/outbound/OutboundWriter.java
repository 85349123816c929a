package sync.outbound;

import com.fasterxml.jackson.core.type.TypeReference;
import org.jboss.logging.Logger;
import sync.apply.PostgresApplier;
import sync.config.SyncConfig;
import sync.salesforce.SObjectWriter;
import sync.salesforce.SalesforceError;
import sync.salesforce.SalesforceRejectedException;
import sync.salesforce.SalesforceUnavailableException;
import sync.salesforce.WriteResult;
import sync.sql.Identifiers;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 */
public final class OutboundWriter {
    private static final Logger LOG = Logger.getLogger(OutboundWriter.class);
    private static final TypeReference<LinkedHashMap<String, Object>> FIELDS = new TypeReference<>() {
    };
    /** Changes claimed per round and mapping: several calls' worth. */
    private static final int ROUND = 2_000;

    private final DataSource dataSource;
    private final SObjectWriter salesforce;
    private final PostgresApplier origins;
    private final SyncConfig.Outbound config;
    private final ApiBudget budget;
    private final Map<String, OutboundMapping> mappings;
    private final Map<String, Instant> pausedUntil = new HashMap<>();
    private final OutboundMetrics metrics;
    private final EchoGuard guard;
    private final sync.salesforce.SalesforceReader reader;
    /** Set when outcomes could not be recorded: those changes stay 'sending' until reconciled. */
    private boolean interrupted;

    public OutboundWriter(DataSource dataSource, SObjectWriter salesforce, PostgresApplier origins,
                          SyncConfig.Outbound config, ApiBudget budget, Map<String, OutboundMapping> mappings,
                          OutboundMetrics metrics, EchoGuard guard, sync.salesforce.SalesforceReader reader) {
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
            recover();
            interrupted = false;
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
                long wait = Math.min(30_000, 500L << Math.min(6, failures.merge(m.name(), 1, Integer::sum)));
                pausedUntil.put(m.name(), Instant.now().plusMillis(wait));
                LOG.warnf("mapping '%s': writing to Salesforce paused for %d ms: %s", m.name(), wait, e.getMessage());
                continue;
            }
            failures.remove(m.name());
        }
        return done;
    }

    private final Map<String, Integer> failures = new HashMap<>();

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
            queued = claimable(c, m);
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
        java.util.concurrent.locks.ReentrantLock lock = guard.lock(m.name());
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

    private void sendAll(OutboundMapping m, OutboundPlan.Plan plan, List<OutboundPlan.Item> items, Outcomes out) {
        try {
            for (OutboundPlan.Kind kind : OutboundPlan.Kind.values()) {
                List<OutboundPlan.Item> ofKind = plan.of(kind);
                for (int i = 0; i < ofKind.size(); i += config.batchSize()) {
                    send(m, kind, ofKind.subList(i, Math.min(ofKind.size(), i + config.batchSize())), out);
                }
            }
        } catch (SalesforceUnavailableException e) {
            out.retry.addAll(items.stream().filter(it -> !out.settled(it)).toList());
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

    private List<OutboundPlan.Queued> claimable(Connection c, OutboundMapping m) throws SQLException {
        List<OutboundPlan.Queued> out = new ArrayList<>();
        // The waiting keys are collected once: checked row by row against the whole queue, a large
        // backlog planned with stale statistics took minutes.
        try (PreparedStatement ps = c.prepareStatement("""
                WITH waiting AS MATERIALIZED (
                    SELECT pg_key, min(id) AS first FROM sync.outbound_change
                    WHERE mapping = ? AND (status = 'sending' OR (status = 'pending' AND next_attempt > now()))
                    GROUP BY pg_key)
                SELECT id, op, pg_key, sfid, fields::text, commit_at FROM sync.outbound_change o
                WHERE mapping = ? AND status = 'pending' AND (next_attempt IS NULL OR next_attempt <= now())
                  AND NOT EXISTS (SELECT 1 FROM waiting w WHERE w.pg_key = o.pg_key AND w.first < o.id)
                ORDER BY id LIMIT ?""")) {
            ps.setString(1, m.name());
            ps.setString(2, m.name());
            ps.setInt(3, ROUND);
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
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_key, coalesce(sfid, result_id) FROM sync.outbound_change o
                WHERE mapping = ? AND pg_key = ANY(?) AND coalesce(sfid, result_id) IS NOT NULL
                  AND NOT (op = 'DELETE' AND status = 'sent')
                  AND NOT EXISTS (SELECT 1 FROM sync.outbound_change d WHERE d.mapping = o.mapping AND d.pg_key = o.pg_key
                                  AND d.op = 'DELETE' AND d.status = 'sent' AND d.id > o.id)
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE sync.outbound_change SET status = 'sending', sending_at = now(), attempts = attempts + 1 "
                        + "WHERE id = ANY(?) AND status = 'pending'")) {
            ps.setArray(1, c.createArrayOf("int8", ids));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot claim queued changes: " + e.getMessage(), e);
        }
    }

    private void send(OutboundMapping m, OutboundPlan.Kind kind, List<OutboundPlan.Item> items, Outcomes out) {
        List<WriteResult> results;
        try {
            budget.called();
            results = switch (kind) {
                case CREATE -> salesforce.create(m.object(), items.stream().map(OutboundPlan.Item::fields).toList());
                case UPSERT -> salesforce.upsert(m.object(), m.externalIdField().orElseThrow(),
                        items.stream().map(OutboundPlan.Item::fields).toList());
                case UPDATE -> salesforce.update(m.object(), items.stream().map(i -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("Id", i.sfid());
                    r.putAll(i.fields());
                    return r;
                }).toList());
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
        for (int i = 0; i < items.size(); i++) {
            OutboundPlan.Item item = items.get(i);
            WriteResult r = i < results.size() ? results.get(i) : null;
            if (r == null) {
                out.retry.add(item);
            } else if (r.success()) {
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
            c.setAutoCommit(false);
            try {
                if (!out.writeBack.isEmpty()) {
                    String sql = "UPDATE " + m.mapping().qualifiedTable() + " t SET " + Identifiers.quote(m.mapping().idColumn())
                            + " = v.sfid FROM unnest(?::" + m.keyType() + "[], ?::text[]) AS v(k, sfid) WHERE t."
                            + Identifiers.quote(m.keyColumn()) + " = v.k AND t." + Identifiers.quote(m.mapping().idColumn())
                            + " IS DISTINCT FROM v.sfid";
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setArray(1, c.createArrayOf("text", out.writeBack.keySet().toArray()));
                        ps.setArray(2, c.createArrayOf("text", out.writeBack.values().toArray()));
                        ps.executeUpdate();
                    }
                }
                if (!out.sent.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE sync.outbound_change o SET status = 'sent', sent_at = now(), error = NULL,
                                   result_id = coalesce(v.sfid, o.result_id)
                            FROM unnest(?::bigint[], ?::text[]) AS v(id, sfid) WHERE o.id = v.id""")) {
                        ps.setArray(1, c.createArrayOf("int8", out.sent.stream().map(Sent::row).toArray()));
                        ps.setArray(2, c.createArrayOf("text", out.sent.stream().map(Sent::sfid).toArray()));
                        ps.executeUpdate();
                    }
                    OutboundDeadLetters.resolveSent(c, out.sent.stream().map(Sent::row).toArray());
                }
                if (!out.retry.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE sync.outbound_change SET status = 'pending', error = ?,
                                   next_attempt = now() + make_interval(secs => least(30, 0.2 * power(2, least(attempts, 8))))
                            WHERE id = ANY(?)""")) {
                        ps.setString(1, transientError == null ? "retrying" : transientError);
                        ps.setArray(2, c.createArrayOf("int8", out.retry.stream().flatMap(i -> i.rows().stream()).toArray()));
                        ps.executeUpdate();
                    }
                }
                for (Failed f : out.failed) {
                    long letter = OutboundDeadLetters.insert(c, m, f.item(), f.error());
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE sync.outbound_change SET status = 'failed', error = ?, dead_letter = ? WHERE id = ANY(?)")) {
                        ps.setString(1, f.error());
                        ps.setLong(2, letter);
                        ps.setArray(3, c.createArrayOf("int8", f.item().rows().toArray()));
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // The Salesforce writes happened; the rows stay 'sending' and are reconciled first thing next round.
            interrupted = true;
            throw new OutboundUnavailableException("mapping '" + m.name() + "': cannot record the outcome of "
                    + (out.sent.size() + out.failed.size()) + " write(s): " + e.getMessage(), e);
        }
        metrics.settled(m.name(), out.sent.size(), out.failed.size(), out.retry.size());
        if (!out.failed.isEmpty()) {
            LOG.warnf("mapping '%s': %d record(s) dead-lettered writing to Salesforce, first: %s", m.name(),
                    out.failed.size(), out.failed.get(0).error());
        }
    }

    /**
     * After a restart: changes left 'sending' were maybe written, maybe not. Updates, deletes and
     * upserts by external Id are idempotent and simply go again. A create is not: if Salesforce
     * has a record created since that attempt (by anyone) with exactly the values sent, it is
     * adopted (its Id written back, no second create); otherwise the create goes again.
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
        Instant since = null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, op, pg_key, sfid, fields::text, commit_at, sending_at FROM sync.outbound_change "
                        + "WHERE mapping = ? AND status = 'sending' ORDER BY id")) {
            ps.setString(1, m.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sending.add(new OutboundPlan.Queued(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            parse(rs.getString(5)), rs.getTimestamp(6).toInstant()));
                    Instant at = rs.getTimestamp(7).toInstant();
                    since = since == null || at.isBefore(since) ? at : since;
                }
            }
            if (sending.isEmpty()) {
                return;
            }
            OutboundPlan.Plan plan = OutboundPlan.plan(m, sending, knownIds(c, m, sending));
            Outcomes out = new Outcomes();
            List<OutboundPlan.Item> creates = plan.of(OutboundPlan.Kind.CREATE);
            if (!creates.isEmpty()) {
                List<String> fields = new ArrayList<>(m.createable());
                fields.add("CreatedDate");
                List<Map<String, Object>> candidates = new ArrayList<>();
                Instant from = since.minusSeconds(60);
                reader.since(m.object(), fields, from, page -> page.stream()
                        .filter(r -> r.get("CreatedDate") != null
                                && !Instant.parse(normalize(r.get("CreatedDate").toString())).isBefore(from))
                        .forEach(candidates::add));
                for (OutboundPlan.Item item : creates) {
                    Map<String, Object> match = candidates.stream().filter(r -> item.fields().entrySet().stream()
                            .allMatch(f -> EchoGuard.same(f.getValue(), r.get(f.getKey())))).findFirst().orElse(null);
                    if (match != null) {
                        candidates.remove(match);
                        String id = match.get("Id").toString();
                        item.rows().forEach(row -> out.sent.add(new Sent(row, id)));
                        out.writeBack.put(item.pgKey(), id);
                    }
                }
                LOG.infof("mapping '%s': %d create(s) were interrupted by a stop; %d found in Salesforce and adopted, the"
                        + " rest are sent again", m.name(), creates.size(), out.writeBack.size());
            }
            if (!out.sent.isEmpty()) {
                record(m, out, null);
            }
            try (PreparedStatement reset = c.prepareStatement(
                    "UPDATE sync.outbound_change SET status = 'pending' WHERE mapping = ? AND status = 'sending' AND NOT (id = ANY(?))")) {
                reset.setString(1, m.name());
                reset.setArray(2, c.createArrayOf("int8", out.sent.stream().map(Sent::row).toArray()));
                reset.executeUpdate();
            }
        }
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

    /** Outcomes of one round. */
    private static final class Outcomes {
        final List<Sent> sent = new ArrayList<>();
        final List<OutboundPlan.Item> retry = new ArrayList<>();
        final List<Failed> failed = new ArrayList<>();
        final Map<String, String> writeBack = new LinkedHashMap<>();

        boolean settled(OutboundPlan.Item item) {
            long first = item.rows().get(0);
            return sent.stream().anyMatch(s -> s.row() == first) || retry.contains(item)
                    || failed.stream().anyMatch(f -> f.item() == item);
        }
    }
}
