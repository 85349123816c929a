package emulator.cdc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The org's durable event stream: assigns increasing replay ids, retains events for the
 * retention window (72 h by default, as Salesforce retains change events) and fans out to
 * listeners (the CometD server).
 */
public final class EventBus {
    /** What a subscriber's replay position means for this bus. */
    public enum ReplayCheck { VALID, UNKNOWN }

    private final Clock clock;
    private volatile Duration retention;
    private final Deque<StreamEvent> retained = new ArrayDeque<>();
    private final List<Consumer<List<StreamEvent>>> listeners = new CopyOnWriteArrayList<>();
    private long lastReplayId;
    private long published;

    public EventBus(Clock clock, Duration retention, long firstReplayId) {
        this.clock = clock;
        this.retention = retention;
        this.lastReplayId = firstReplayId - 1;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    /** Publishes events in order; each gets the next replay id. Returns them as stored. */
    public List<StreamEvent> publish(List<PendingEvent> events) {
        List<StreamEvent> stored = new ArrayList<>(events.size());
        synchronized (this) {
            Instant now = clock.instant();
            for (PendingEvent e : events) {
                StreamEvent s = new StreamEvent(++lastReplayId, now, e.channels(), e.schema(), e.payload());
                retained.addLast(s);
                stored.add(s);
                published++;
            }
            purge(now);
        }
        for (Consumer<List<StreamEvent>> l : listeners) {
            l.accept(stored);
        }
        return stored;
    }

    public void addListener(Consumer<List<StreamEvent>> listener) {
        listeners.add(listener);
    }

    /**
     * Events on {@code channel} after position {@code replayId}: -2 = everything retained,
     * -1 = nothing (new events only), N = those with a replay id greater than N.
     */
    public synchronized List<StreamEvent> after(String channel, long replayId) {
        purge(clock.instant());
        List<StreamEvent> out = new ArrayList<>();
        if (replayId == -1) {
            return out;
        }
        for (StreamEvent e : retained) {
            if ((replayId == -2 || e.replayId() > replayId) && e.channels().contains(channel)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * A replay id is valid when it is -1, -2, or still inside the retention window: an id at or
     * after the oldest retained event and not beyond the newest one published.
     */
    public synchronized ReplayCheck check(long replayId) {
        purge(clock.instant());
        if (replayId == -1 || replayId == -2) {
            return ReplayCheck.VALID;
        }
        if (retained.isEmpty() || replayId < retained.peekFirst().replayId() || replayId > lastReplayId) {
            return ReplayCheck.UNKNOWN;
        }
        return ReplayCheck.VALID;
    }

    public synchronized long lastReplayId() {
        return lastReplayId;
    }

    public synchronized long publishedCount() {
        return published;
    }

    public synchronized List<StreamEvent> retained() {
        purge(clock.instant());
        return List.copyOf(retained);
    }

    /** Drops every retained event (admin reset); replay ids keep increasing. */
    public synchronized void clear() {
        retained.clear();
    }

    private void purge(Instant now) {
        Instant cutoff = now.minus(retention);
        while (!retained.isEmpty() && retained.peekFirst().publishedAt().isBefore(cutoff)) {
            retained.removeFirst();
        }
    }

    /** An event before it has a replay id. */
    public record PendingEvent(Set<String> channels, String schema, Map<String, Object> payload) {
    }
}
