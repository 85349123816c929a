package emulator.cometd;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server-side state of one handshaken Bayeux client: its subscriptions, its queue of data messages
 * waiting for the next {@code /meta/connect}, and the connect currently held for it.
 *
 * <p>The queue and the held connect are guarded by this object's monitor (held connects wait on
 * it); {@link #subscriptions} is guarded by the server's dispatch lock.
 */
final class ClientState {
    /** One data message waiting for delivery: the channel the client subscribed to, and the shared {@code data} body. */
    record Delivery(String channel, Map<String, Object> data) {
    }

    /** A held {@code /meta/connect}; {@link #superseded} is set when a newer connect of the same client replaces it. */
    static final class Hold {
        boolean superseded;
    }

    final String id;
    /**
     * Channels this client is subscribed to, in subscription order, each with the replay id after
     * which live events are delivered on it (guarded by the server's dispatch lock).
     */
    final Map<String, Long> subscriptions = new LinkedHashMap<>();

    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private Hold held;
    private Instant lastSeen;
    private boolean removed;

    ClientState(String id, Instant now) {
        this.id = id;
        this.lastSeen = now;
    }

    synchronized void enqueue(Delivery d) {
        queue.addLast(d);
        notifyAll();
    }

    synchronized void enqueueAll(List<Delivery> ds) {
        if (ds.isEmpty()) {
            return;
        }
        queue.addAll(ds);
        notifyAll();
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Removes queued messages of a channel the client no longer subscribes to. */
    synchronized void dropQueued(String channel) {
        queue.removeIf(d -> d.channel().equals(channel));
    }

    synchronized List<Delivery> drain(int max) {
        int n = Math.min(max, queue.size());
        List<Delivery> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(queue.pollFirst());
        }
        return out;
    }

    synchronized void touch(Instant now) {
        lastSeen = now;
    }

    /** True when no connect is held and the client has not been seen since {@code cutoff}. */
    synchronized boolean idleSince(Instant cutoff) {
        return held == null && lastSeen.isBefore(cutoff);
    }

    synchronized boolean isRemoved() {
        return removed;
    }

    /** Marks the client gone and wakes its held connect. */
    synchronized void markRemoved() {
        removed = true;
        notifyAll();
    }

    /** Wakes a held connect without changing state (server closing). */
    synchronized void wake() {
        notifyAll();
    }

    /** Registers a new held connect, superseding (and waking) any previous one. */
    synchronized Hold beginHold() {
        if (held != null) {
            held.superseded = true;
        }
        held = new Hold();
        notifyAll();
        return held;
    }

    synchronized void endHold(Hold h) {
        if (held == h) {
            held = null;
        }
    }

    /**
     * Waits until a message is queued, the hold is superseded, the client is removed,
     * {@code stop} reports true, or {@code nanos} pass.
     */
    synchronized void await(Hold h, long nanos, java.util.function.BooleanSupplier stop) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (queue.isEmpty() && !h.superseded && !removed && !stop.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long ms = Math.max(1, left / 1_000_000);
            wait(ms);
        }
    }
}
