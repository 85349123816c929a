package sync.outbound;

import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Slows Sluice's Salesforce writes down before Salesforce refuses them: no call while Sluice's
 * own calls in the last 24 hours reach the configured budget, or while the org's usage reported
 * in the last Sforce-Limit-Info header is at the configured share of its daily limit. Nothing
 * is dropped: the queue waits. Own calls are counted per minute in {@code sync.api_call}, so a
 * restart remembers them.
 */
public final class ApiBudget {
    private static final Logger LOG = Logger.getLogger(ApiBudget.class);
    private static final Duration WINDOW = Duration.ofHours(24);
    /** While the org's limit holds writes back, one call per interval probes whether it eased. */
    private static final Duration PROBE = Duration.ofMinutes(1);

    private final OptionalLong daily;
    private final double maxUsage;
    private final Clock clock;
    private final DataSource store;
    private final String client;
    /** Own calls per minute within the window. */
    private final TreeMap<Instant, Long> perMinute = new TreeMap<>();
    private long inWindow;
    private long used;
    private long max;
    private Instant lastCall = Instant.EPOCH;
    private Instant pruned = Instant.EPOCH;
    private boolean storeFailing;

    /** A budget kept in memory only. */
    public ApiBudget(OptionalLong daily, double maxUsage, Clock clock) {
        this(daily, maxUsage, clock, null, null);
    }

    /** A budget whose own calls are stored in {@code sync.api_call} under {@code client}, and loaded now. */
    public ApiBudget(OptionalLong daily, double maxUsage, Clock clock, DataSource store, String client) {
        this.daily = daily;
        this.maxUsage = maxUsage;
        this.clock = clock;
        this.store = store;
        this.client = client;
        if (store != null) {
            load();
        }
    }

    /** Whether a call may be made now. */
    public synchronized boolean mayCall() {
        Instant now = clock.instant();
        slide(now);
        if (daily.isPresent() && inWindow >= daily.getAsLong()) {
            return false;
        }
        return !orgLimited() || lastCall.plus(PROBE).isBefore(now);
    }

    public synchronized void called() {
        called(1);
    }

    /** Counts {@code times} calls made now (a Bulk API job's steps). */
    public synchronized void called(long times) {
        if (times <= 0) {
            return;
        }
        lastCall = clock.instant();
        Instant minute = lastCall.truncatedTo(ChronoUnit.MINUTES);
        perMinute.merge(minute, times, Long::sum);
        inWindow += times;
        if (store != null) {
            persist(minute, times);
        }
    }

    /** Sluice's own calls in the last 24 hours. */
    public synchronized long ownCalls() {
        slide(clock.instant());
        return inWindow;
    }

    /** The org's usage from a Sforce-Limit-Info header ({@code api-usage=used/max}). */
    public synchronized void observe(long used, long max) {
        this.used = used;
        this.max = max;
    }

    /** Whether the org's reported usage holds writes back. */
    public synchronized boolean orgLimited() {
        return max > 0 && used >= maxUsage * max;
    }

    private void slide(Instant now) {
        Instant from = now.minus(WINDOW);
        while (!perMinute.isEmpty() && perMinute.firstKey().isBefore(from)) {
            inWindow -= perMinute.pollFirstEntry().getValue();
        }
    }

    private void load() {
        Instant now = clock.instant();
        try (Connection c = store.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT minute, calls FROM sync.api_call WHERE client = ? AND minute >= ?")) {
            ps.setString(1, client);
            ps.setTimestamp(2, Timestamp.from(now.minus(WINDOW)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    perMinute.merge(rs.getTimestamp(1).toInstant(), rs.getLong(2), Long::sum);
                    inWindow += rs.getLong(2);
                }
            }
        } catch (SQLException e) {
            LOG.warnf("cannot read the Salesforce API calls of the last 24 hours (sync.api_call): %s; the daily budget"
                    + " counts from now", e.getMessage());
        }
    }

    private void persist(Instant minute, long times) {
        try (Connection c = store.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync.api_call (client, minute, calls) VALUES (?, ?, ?)"
                    + " ON CONFLICT (client, minute) DO UPDATE SET calls = sync.api_call.calls + EXCLUDED.calls")) {
                ps.setString(1, client);
                ps.setTimestamp(2, Timestamp.from(minute));
                ps.setLong(3, times);
                ps.executeUpdate();
            }
            if (pruned.plus(Duration.ofHours(1)).isBefore(minute)) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync.api_call WHERE minute < ?")) {
                    ps.setTimestamp(1, Timestamp.from(minute.minus(WINDOW).minus(Duration.ofHours(1))));
                    ps.executeUpdate();
                }
                pruned = minute;
            }
            storeFailing = false;
        } catch (SQLException e) {
            // Counted in memory all the same; only a restart before it is stored would forget the call.
            if (!storeFailing) {
                LOG.warnf("cannot store a Salesforce API call in sync.api_call: %s", e.getMessage());
            }
            storeFailing = true;
        }
    }
}
