package sync.outbound;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;

/**
 * Slows Sluice's Salesforce writes down before Salesforce refuses them: no call while Sluice's
 * own calls in the last 24 hours reach the configured budget, or while the org's usage reported
 * in the last Sforce-Limit-Info header is at the configured share of its daily limit. Nothing
 * is dropped: the queue waits. (Counts since this process started; a restart forgets its own
 * calls, the org's header does not.)
 */
public final class ApiBudget {
    private static final Duration WINDOW = Duration.ofHours(24);
    /** While the org's limit holds writes back, one call per interval probes whether it eased. */
    private static final Duration PROBE = Duration.ofMinutes(1);

    private final OptionalLong daily;
    private final double maxUsage;
    private final Clock clock;
    private final Deque<Instant> calls = new ArrayDeque<>();
    private long used;
    private long max;
    private Instant lastCall = Instant.EPOCH;

    public ApiBudget(OptionalLong daily, double maxUsage, Clock clock) {
        this.daily = daily;
        this.maxUsage = maxUsage;
        this.clock = clock;
    }

    /** Whether a call may be made now. */
    public synchronized boolean mayCall() {
        Instant now = clock.instant();
        while (!calls.isEmpty() && calls.peekFirst().isBefore(now.minus(WINDOW))) {
            calls.removeFirst();
        }
        if (daily.isPresent() && calls.size() >= daily.getAsLong()) {
            return false;
        }
        return !orgLimited() || lastCall.plus(PROBE).isBefore(now);
    }

    public synchronized void called() {
        lastCall = clock.instant();
        if (daily.isPresent()) {
            calls.addLast(lastCall);
        }
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
}
