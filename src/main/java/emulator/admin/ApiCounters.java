package emulator.admin;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts requests per endpoint key (e.g. {@code rest.sobject.create}, {@code rest.composite.sobjects.update},
 * {@code oauth.token}, {@code cometd.connect}). Keys starting with {@code rest.} or {@code bulk.} count
 * against the daily API request limit, as Salesforce counts REST and Bulk calls.
 */
public final class ApiCounters {
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong apiRequests = new AtomicLong();

    public void count(String key) {
        counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        if (key.startsWith("rest.") || key.startsWith("bulk.")) {
            apiRequests.incrementAndGet();
        }
    }

    /** Requests that count against DailyApiRequests since the last reset. */
    public long apiRequests() {
        return apiRequests.get();
    }

    public long get(String key) {
        AtomicLong c = counts.get(key);
        return c == null ? 0 : c.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public void reset() {
        counts.clear();
        apiRequests.set(0);
    }
}
