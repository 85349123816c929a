package sync.outbound;

import org.jboss.logging.Logger;
import sync.change.Change;
import sync.config.SyncConfig;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Echo suppression and conflict resolution, Salesforce side, for mappings that sync both ways:
 * runs on each batch of Salesforce changes before it is applied to PostgreSQL, against the
 * PostgreSQL changes queued or recently sent for the same records ({@code sync.outbound_change}).
 * <ul>
 *   <li><b>Echo</b>: a change event caused by Sluice's own write (its {@code changeOrigin} names
 *   our client) loses the fields whose value Sluice wrote; what else changed in that transaction
 *   (a trigger, a workflow) still reaches PostgreSQL, and an echo of an older write never
 *   overwrites a newer PostgreSQL value.</li>
 *   <li><b>Conflict</b>: a field changed in Salesforce while a PostgreSQL change of the same field
 *   is queued, or was sent with a later commit time, resolves per the mapping's policy:
 *   last-writer-wins compares commit times; salesforce-wins / postgres-wins always pick that side.
 *   The losing PostgreSQL value is removed from the queue; the losing Salesforce value is not
 *   applied. Fields only one side changed are kept from both.</li>
 *   <li><b>Overwritten</b>: a Salesforce change that arrives while the echo of one of our writes
 *   to the same record has not come back yet was committed before that write (change events
 *   arrive in commit order) and committed before its answer reached us: our write overwrote the
 *   fields it set, so those fields are not applied; both sides keep the value we wrote. Without
 *   this, an edit made in Salesforce while our write was on the wire would land in PostgreSQL
 *   while Salesforce keeps our value.</li>
 * </ul>
 */
public final class EchoGuard {
    private static final Logger LOG = Logger.getLogger(EchoGuard.class);

    private final DataSource dataSource;
    private final String client;
    private final Duration window;
    private final Map<String, SyncConfig.ConflictPolicy> policies;

    /** @param policies conflict policy per mapping that syncs both ways */
    public EchoGuard(DataSource dataSource, String client, Duration window, Map<String, SyncConfig.ConflictPolicy> policies) {
        this.dataSource = dataSource;
        this.client = client;
        this.window = window;
        this.policies = Map.copyOf(policies);
    }

    private final Map<String, java.util.concurrent.locks.ReentrantLock> locks = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The lock that keeps a mapping's Salesforce writes (from claim to recorded outcome) and its
     * Salesforce -> PostgreSQL applies apart: an echo is only recognised once the write that
     * caused it is recorded with the Id Salesforce gave the record.
     */
    public java.util.concurrent.locks.ReentrantLock lock(String mapping) {
        return locks.computeIfAbsent(mapping, k -> new java.util.concurrent.locks.ReentrantLock());
    }

    /** Longest an apply waits for a hold to lift before it is retried later (transient failure). */
    private static final long HOLD_WAIT_MILLIS = 10_000;
    /** Mappings with Salesforce writes of unknown outcome (see {@link #hold}). */
    private final Set<String> held = new java.util.HashSet<>();

    /**
     * Holds the mapping's applies back: some of its Salesforce writes (creates among them) ended
     * without a known outcome, so the change events they caused could not be recognised as echoes
     * (a created record would come back as a new row). Called under the mapping's {@link #lock}.
     */
    public void hold(String mapping) {
        synchronized (held) {
            held.add(mapping);
        }
    }

    /** Lifts {@link #hold}: the writes were reconciled and recorded. */
    public void release(String mapping) {
        synchronized (held) {
            if (held.remove(mapping)) {
                held.notifyAll();
            }
        }
    }

    /**
     * Whether the mapping's applies are held: some of its Salesforce writes have an outcome Sluice
     * could not record or does not know yet, and are being reconciled.
     */
    public boolean reconciling(String mapping) {
        return held(mapping);
    }

    private boolean held(String mapping) {
        synchronized (held) {
            return held.contains(mapping);
        }
    }

    private void awaitRelease(String mapping) {
        long deadline = System.nanoTime() + HOLD_WAIT_MILLIS * 1_000_000;
        synchronized (held) {
            while (held.contains(mapping)) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new sync.apply.TransientApplyException("mapping '" + mapping + "': writes to Salesforce whose"
                            + " outcome is not known yet are being reconciled; applying Salesforce changes waits", null);
                }
                try {
                    held.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new sync.apply.TransientApplyException("mapping '" + mapping + "': interrupted waiting for"
                            + " writes to Salesforce to be reconciled", e);
                }
            }
        }
    }

    /** Longest an apply waits for the capture to catch up before it is retried later (transient failure). */
    private static final java.time.Duration CAPTURE_WAIT = java.time.Duration.ofSeconds(10);
    private volatile CaptureBarrier barrier;

    /**
     * From now on every batch waits, before its conflict check, until the PostgreSQL changes
     * committed before it are queued (see {@link CaptureBarrier}).
     */
    public void barrier(CaptureBarrier barrier) {
        this.barrier = barrier;
    }

    /** Whether the mapping also syncs PostgreSQL -> Salesforce (and so is guarded here). */
    public boolean guards(String mapping) {
        return policies.containsKey(mapping);
    }

    /**
     * Applies Salesforce changes of {@code m} through this guard when the mapping syncs both
     * ways (under the mapping's write lock), straight otherwise.
     */
    public sync.apply.ApplyResult apply(sync.apply.PostgresApplier applier, sync.mapping.ResolvedMapping m,
                                        List<Change> changes, sync.apply.PositionUpdate position) {
        if (!guards(m.name())) {
            return applier.apply(m, changes, position);
        }
        CaptureBarrier captured = barrier;
        if (captured != null) {
            captured.await(CAPTURE_WAIT);
        }
        Set<String> mapped = new java.util.HashSet<>();
        m.fields().forEach(f -> mapped.add(f.field()));
        java.util.concurrent.locks.ReentrantLock lock = lock(m.name());
        while (true) {
            awaitRelease(m.name());
            lock.lock();
            try {
                if (!held(m.name())) { // a hold is set under the lock: checked again holding it
                    return applier.apply(m, filter(m.name(), mapped, changes), position);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * One queued or sent PostgreSQL change of a record; {@code sentAt} is when Salesforce's answer
     * was recorded, {@code echoed} whether the change event it caused has come back.
     */
    record Outbound(long id, String status, Map<String, Object> fields, Instant commitAt, Instant sentAt, boolean echoed) {
        /** A change whose echo needs no tracking (queued, or sent long ago). */
        Outbound(long id, String status, Map<String, Object> fields, Instant commitAt) {
            this(id, status, fields, commitAt, null, true);
        }

        boolean pending() {
            return status.equals("pending");
        }

        /** Sent, its echo not back yet: a Salesforce change committed before this write may still arrive. */
        boolean awaitingEcho() {
            return status.equals("sent") && !echoed && sentAt != null;
        }
    }

    /**
     * Result: the changes to apply, the fields to remove from queued PostgreSQL changes, and the
     * sent changes whose echo this batch brought back.
     */
    record Decision(List<Change> apply, Map<Long, Set<String>> strip, Set<Long> echoed, int echoFields, int conflictFields,
                    int overwrittenFields) {
    }

    /** Filters {@code changes} of {@code mapping}; a mapping that does not sync to Salesforce passes as is. */
    public List<Change> filter(String mapping, Set<String> mappedFields, List<Change> changes) {
        SyncConfig.ConflictPolicy policy = policies.get(mapping);
        if (policy == null || changes.isEmpty()) {
            return changes;
        }
        List<String> ids = changes.stream().map(Change::sfid).filter(java.util.Objects::nonNull).distinct().toList();
        try (Connection c = dataSource.getConnection()) {
            Map<String, List<Outbound>> outbound = load(c, mapping, ids);
            Decision d = decide(client, policy, mappedFields, changes, outbound);
            if (!d.echoed().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sync.outbound_change SET echoed_at = now() WHERE id = ANY(?) AND echoed_at IS NULL")) {
                    ps.setArray(1, c.createArrayOf("int8", d.echoed().toArray()));
                    ps.executeUpdate();
                }
            }
            for (Map.Entry<Long, Set<String>> e : d.strip().entrySet()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sync.outbound_change SET fields = fields - ?::text[] WHERE id = ? AND status = 'pending'")) {
                    ps.setArray(1, c.createArrayOf("text", e.getValue().toArray()));
                    ps.setLong(2, e.getKey());
                    ps.executeUpdate();
                }
            }
            if (d.overwrittenFields() > 0) {
                LOG.infof("mapping '%s': %d Salesforce field change(s) committed before Sluice's write of the same field"
                        + " were overwritten by it in Salesforce and are not applied", mapping, d.overwrittenFields());
            }
            if (d.conflictFields() > 0) {
                LOG.infof("mapping '%s': %d field change(s) resolved as conflicts (%s)", mapping, d.conflictFields(),
                        policy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            }
            return d.apply();
        } catch (SQLException e) {
            throw new sync.apply.TransientApplyException("mapping '" + mapping + "': cannot read the outbound queue for"
                    + " echo and conflict checks: " + e.getMessage(), e);
        }
    }

    private Map<String, List<Outbound>> load(Connection c, String mapping, List<String> ids) throws SQLException {
        Map<String, List<Outbound>> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, coalesce(sfid, result_id), status, fields::text, commit_at, sent_at, echoed_at IS NOT NULL
                FROM sync.outbound_change
                WHERE mapping = ? AND coalesce(sfid, result_id) = ANY(?)
                  AND (status IN ('pending', 'sending') OR (status = 'sent' AND sent_at > now() - make_interval(secs => ?)))
                ORDER BY id""")) {
            ps.setString(1, mapping);
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            ps.setDouble(3, window.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Timestamp sent = rs.getTimestamp(6);
                    out.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(new Outbound(rs.getLong(1),
                            rs.getString(3), OutboundWriter.parse(rs.getString(4)), rs.getTimestamp(5).toInstant(),
                            sent == null ? null : sent.toInstant(), rs.getBoolean(7)));
                }
            }
        }
        return out;
    }

    /** The decision, pure. */
    static Decision decide(String client, SyncConfig.ConflictPolicy policy, Set<String> mappedFields, List<Change> changes,
                           Map<String, List<Outbound>> outbound) {
        List<Change> apply = new ArrayList<>(changes.size());
        Map<Long, Set<String>> strip = new HashMap<>();
        Set<Long> echoed = new java.util.HashSet<>();
        int echoes = 0;
        int conflicts = 0;
        int overwritten = 0;
        for (Change ch : changes) {
            List<Outbound> rows = ch.sfid() == null ? List.of() : outbound.getOrDefault(ch.sfid(), List.of());
            if (ch.op() != Change.Op.UPSERT || rows.isEmpty()) {
                apply.add(ch);
                continue;
            }
            boolean echo = client.equals(ch.clientOrigin());
            if (echo) {
                echoed.addAll(echoedBy(ch, rows, echoed));
            }
            // A record read whole (resync, GAP re-read) says nothing about when each field
            // changed: a PostgreSQL change still on its way wins over it, field by field.
            boolean snapshot = !echo && ch.transaction() == null;
            Map<String, Object> keep = new LinkedHashMap<>();
            boolean droppedMapped = false;
            for (Map.Entry<String, Object> f : ch.fields().entrySet()) {
                String field = f.getKey();
                boolean drop;
                if (echo) {
                    // Ours whatever its queue state: a change sent and then reset to pending (its
                    // outcome could not be recorded) still caused this echo.
                    drop = rows.stream().anyMatch(o -> o.fields().containsKey(field)
                            && same(o.fields().get(field), f.getValue()));
                    echoes += drop ? 1 : 0;
                } else if (snapshot) {
                    List<Outbound> rivals = rows.stream().filter(o -> o.fields().containsKey(field)
                            && (o.pending() || o.status().equals("sending"))).toList();
                    drop = !rivals.isEmpty() && policy != SyncConfig.ConflictPolicy.SALESFORCE_WINS;
                    if (!rivals.isEmpty() && !drop) {
                        rivals.stream().filter(Outbound::pending).forEach(o ->
                                strip.computeIfAbsent(o.id(), k -> new TreeSet<>()).add(field));
                    }
                } else if (rows.stream().anyMatch(o -> o.awaitingEcho() && !echoed.contains(o.id())
                        && o.fields().containsKey(field) && ch.commitTime().isBefore(o.sentAt()))) {
                    drop = true;
                    overwritten++;
                } else {
                    List<Outbound> rivals = rows.stream().filter(o -> o.fields().containsKey(field)
                            && (o.pending() || o.status().equals("sending") || o.commitAt().isAfter(ch.commitTime()))).toList();
                    if (rivals.isEmpty()) {
                        drop = false;
                    } else {
                        Instant newest = rivals.stream().map(Outbound::commitAt).max(Instant::compareTo).orElseThrow();
                        drop = switch (policy) {
                            case POSTGRES_WINS -> true;
                            case SALESFORCE_WINS -> false;
                            case LAST_WRITER_WINS -> newest.isAfter(ch.commitTime());
                        };
                        conflicts++;
                        if (!drop) {
                            for (Outbound o : rivals) {
                                if (o.pending()) {
                                    strip.computeIfAbsent(o.id(), k -> new TreeSet<>()).add(field);
                                }
                            }
                        }
                    }
                }
                if (drop) {
                    droppedMapped |= mappedFields.contains(field);
                } else {
                    keep.put(field, f.getValue());
                }
            }
            boolean anyMapped = keep.keySet().stream().anyMatch(mappedFields::contains);
            if (droppedMapped && !anyMapped) {
                continue; // nothing left that PostgreSQL stores: no write at all
            }
            apply.add(new Change(ch.mapping(), ch.origin(), ch.op(), ch.sfid(), ch.pgKey(), keep, ch.commitTime(),
                    ch.position(), ch.transaction(), ch.clientOrigin()));
        }
        return new Decision(apply, strip, echoed, echoes, conflicts, overwritten);
    }

    /**
     * The sent changes whose echo {@code echo} is: the first one awaiting its echo whose values
     * the event carries (every field of it the event has, the same value), and every one sent
     * before it (echoes arrive in order). None when the event matches none of them.
     */
    private static List<Long> echoedBy(Change echo, List<Outbound> rows, Set<Long> already) {
        List<Long> before = new ArrayList<>();
        for (Outbound o : rows) {
            if (!o.awaitingEcho() || already.contains(o.id())) {
                continue;
            }
            before.add(o.id());
            boolean carries = o.fields().keySet().stream().anyMatch(echo.fields()::containsKey)
                    && o.fields().entrySet().stream().allMatch(f -> !echo.fields().containsKey(f.getKey())
                    || same(f.getValue(), echo.fields().get(f.getKey())));
            if (carries) {
                return before;
            }
        }
        return List.of();
    }

    /** Whether two Salesforce JSON values are the same value (numbers by value, not scale). */
    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Number || b instanceof Number) {
            try {
                return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return a.toString().equals(b.toString());
    }
}
