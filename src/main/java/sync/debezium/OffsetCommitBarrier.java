package sync.debezium;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What must happen before a connector's offsets are stored: Debezium considers a change done
 * once the consumer returns from it, but Sluice only queues it in memory there; the queue is
 * flushed to PostgreSQL here, before {@link PostgresOffsetBackingStore} writes the offsets that
 * cover it. Debezium instantiates the offset store itself, hence this registry by connector name.
 */
public final class OffsetCommitBarrier {
    private static final Map<String, Runnable> BARRIERS = new ConcurrentHashMap<>();

    private OffsetCommitBarrier() {
    }

    /** Runs {@code barrier} before every offset write of {@code connector}; it throws to refuse the write. */
    public static void register(String connector, Runnable barrier) {
        BARRIERS.put(connector, barrier);
    }

    public static void unregister(String connector) {
        BARRIERS.remove(connector);
    }

    static void beforeCommit(String connector) {
        Runnable barrier = BARRIERS.get(connector);
        if (barrier != null) {
            barrier.run();
        }
    }
}
