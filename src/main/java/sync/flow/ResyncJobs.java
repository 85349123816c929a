package sync.flow;

import org.jboss.logging.Logger;
import sync.apply.ApplyResult;
import sync.apply.PostgresApplier;
import sync.change.RecordSnapshots;
import sync.mapping.FieldColumn;
import sync.mapping.ResolvedMapping;
import sync.salesforce.SalesforceReader;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Re-reads whole objects from Salesforce: the initial load of a new mapping, and the resync
 * after an overflow or an expired replay position. Jobs live in {@code sync.resync_job} (at
 * most one active per mapping; a second request lowers the watermark of the active one), run on
 * one background thread, apply page by page through the same ordering guard as the stream (so
 * they can overlap live changes safely), record their progress and watermark after every page
 * and resume from it after a restart.
 */
public final class ResyncJobs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ResyncJobs.class);
    private static final Duration PROGRESS_LOG_EVERY = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final PostgresApplier applier;
    private final SalesforceReader reader;
    private final Map<String, ResolvedMapping> mappings = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-resync");
        t.setDaemon(true);
        return t;
    });

    public ResyncJobs(DataSource dataSource, PostgresApplier applier, SalesforceReader reader) {
        this.dataSource = dataSource;
        this.applier = applier;
        this.reader = reader;
    }

    private volatile sync.outbound.EchoGuard guard;

    /** Resynced records of two-way mappings go through the echo and conflict step too. */
    public void guard(sync.outbound.EchoGuard guard) {
        this.guard = guard;
    }

    public void register(ResolvedMapping mapping) {
        mappings.put(mapping.name(), mapping);
    }

    /** Records a resync of the whole object from {@code watermark} (null = everything) and runs it. */
    public void queueObjectResync(ResolvedMapping mapping, String reason, Instant watermark) {
        register(mapping);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO sync.resync_job (mapping, reason, watermark) VALUES (?, ?, ?)
                     ON CONFLICT (mapping) WHERE status IN ('pending', 'running')
                     DO UPDATE SET watermark = CASE WHEN EXCLUDED.watermark IS NULL OR sync.resync_job.watermark IS NULL
                                                    THEN NULL ELSE LEAST(sync.resync_job.watermark, EXCLUDED.watermark) END,
                                   updated_at = now()""")) {
            ps.setString(1, mapping.name());
            ps.setString(2, reason);
            ps.setTimestamp(3, watermark == null ? null : Timestamp.from(watermark));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new sync.apply.TransientApplyException("cannot record a resync of mapping '" + mapping.name() + "': "
                    + e.getMessage(), e);
        }
        LOG.infof("mapping '%s': resync queued (%s, from %s)", mapping.name(), reason, watermark == null ? "the beginning" : watermark);
        worker.submit(this::runPending);
    }

    /** Runs every pending or interrupted job (also called at startup). */
    public void resumeAll() {
        worker.submit(this::runPending);
    }

    /** The jobs of a mapping, newest first. */
    public List<Map<String, Object>> jobs(String mapping) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT id, reason, status, watermark, records_total, records_done, records_failed, error,
                            created_at, started_at, finished_at
                     FROM sync.resync_job WHERE mapping = ? ORDER BY id DESC LIMIT 20""")) {
            ps.setString(1, mapping);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> job = new java.util.LinkedHashMap<>();
                    job.put("id", rs.getLong("id"));
                    job.put("reason", rs.getString("reason"));
                    job.put("status", rs.getString("status"));
                    job.put("watermark", instant(rs.getTimestamp("watermark")));
                    job.put("recordsTotal", rs.getObject("records_total"));
                    job.put("recordsDone", rs.getLong("records_done"));
                    job.put("recordsFailed", rs.getLong("records_failed"));
                    job.put("error", rs.getString("error"));
                    job.put("createdAt", instant(rs.getTimestamp("created_at")));
                    job.put("startedAt", instant(rs.getTimestamp("started_at")));
                    job.put("finishedAt", instant(rs.getTimestamp("finished_at")));
                    out.add(job);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read resync jobs: " + e.getMessage(), e);
        }
        return out;
    }

    private void runPending() {
        while (true) {
            Job job = nextJob();
            if (job == null) {
                return;
            }
            ResolvedMapping mapping = mappings.get(job.mapping);
            if (mapping == null) {
                return; // not started in this process; stays pending
            }
            try {
                run(job, mapping);
            } catch (RuntimeException e) {
                LOG.errorf(e, "mapping '%s': resync job %d failed; it will resume from its watermark on the next start",
                        job.mapping, job.id);
                finish(job.id, "failed", e.getMessage());
                return;
            }
        }
    }

    private void run(Job job, ResolvedMapping mapping) {
        List<String> fields = new ArrayList<>();
        for (FieldColumn f : mapping.fields()) {
            fields.add(f.field());
        }
        long total = reader.count(mapping.object(), job.watermark);
        start(job.id, total);
        long started = System.nanoTime();
        long[] done = {job.done};
        long[] failed = {0};
        long[] lastLog = {started};
        reader.since(mapping.object(), fields, job.watermark, page -> {
            List<sync.change.Change> changes = RecordSnapshots.toChanges(mapping.name(), page, "resync:" + job.id);
            sync.outbound.EchoGuard g = guard;
            ApplyResult r = g == null ? applier.apply(mapping, changes, null) : g.apply(applier, mapping, changes, null);
            done[0] += page.size();
            failed[0] += r.deadLettered();
            Instant watermark = RecordSnapshots.toChange(mapping.name(), page.get(page.size() - 1), "watermark").commitTime();
            progress(job.id, done[0], r.deadLettered(), watermark);
            long now = System.nanoTime();
            if (Duration.ofNanos(now - lastLog[0]).compareTo(PROGRESS_LOG_EVERY) >= 0) {
                lastLog[0] = now;
                double seconds = (now - started) / 1e9;
                LOG.infof("mapping '%s': %s %d%s records, %.0f records/s", mapping.name(), job.reason, done[0],
                        total >= 0 ? " / " + total : "", done[0] / Math.max(seconds, 0.001));
            }
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.infof("mapping '%s': %s done: %d records in %.1f s (%.0f records/s), %d dead-lettered", mapping.name(),
                job.reason, done[0], seconds, done[0] / Math.max(seconds, 0.001), failed[0]);
        finish(job.id, "done", null);
    }

    private Job nextJob() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT id, mapping, reason, watermark, records_done FROM sync.resync_job
                     WHERE status IN ('pending', 'running') ORDER BY id LIMIT 1""")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Job(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4)), rs.getLong(5));
            }
        } catch (SQLException e) {
            LOG.warnf("cannot read resync jobs: %s", e.getMessage());
            return null;
        }
    }

    private void start(long id, long total) {
        update("UPDATE sync.resync_job SET status = 'running', started_at = coalesce(started_at, now()), "
                + "records_total = ?, updated_at = now() WHERE id = ?", total >= 0 ? total : null, id);
    }

    private void progress(long id, long done, long failed, Instant watermark) {
        update("UPDATE sync.resync_job SET records_done = ?, records_failed = records_failed + ?, "
                + "watermark = coalesce(?, watermark), updated_at = now() WHERE id = ?", done, failed,
                watermark == null ? null : Timestamp.from(watermark), id);
    }

    private void finish(long id, String status, String error) {
        update("UPDATE sync.resync_job SET status = ?, error = ?, finished_at = now(), updated_at = now() WHERE id = ?",
                status, error, id);
    }

    private void update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new sync.apply.TransientApplyException("cannot update a resync job: " + e.getMessage(), e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private record Job(long id, String mapping, String reason, Instant watermark, long done) {
    }
}
