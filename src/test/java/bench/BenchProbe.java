package bench;

import emulator.cdc.StreamEvent;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import sync.staging.StagedEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Observes the flow without touching production code: (1) every change event the emulator
 * publishes on the Account channel (its commitTimestamp and recordIds; a bus listener), (2) when
 * each event left the route's intake step (received through CometD and camel-salesforce), and
 * (3) when each batch entered and left the stage-and-apply step (the apply transaction has
 * committed when it leaves). (2) and (3) wrap the route's processors by id with a Camel
 * {@link InterceptStrategy}, which applies to routes added after it is registered.
 */
final class BenchProbe implements InterceptStrategy, Consumer<List<StreamEvent>> {
    static final String CHANNEL = "/data/AccountChangeEvent";

    /** One published change event: each record Id in it is one change. */
    record Published(long replayId, long commitMillis, String changeType, List<String> recordIds) {
    }

    /** One pass of a batch through stage-and-apply (a retried batch passes more than once). */
    record Batch(long firstReplayId, long lastReplayId, int events, long startMicros, long endMicros, boolean failed) {
    }

    private final String mapping;
    volatile boolean recording;
    /** The thread inside stage-and-apply right now, or null (for {@link BenchSampler}). */
    volatile Thread applying;
    /** Which threads ran stage-and-apply, and how often. */
    final Map<String, Integer> applyThreads = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Published> published = new ConcurrentLinkedQueue<>();
    final Map<Long, Long> receivedMicros = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Batch> batches = new ConcurrentLinkedQueue<>();
    /** A few batches as the route saw them, to time the staging step alone afterwards. */
    final List<List<StagedEvent>> sampleBatches = Collections.synchronizedList(new ArrayList<>());

    BenchProbe(String mapping) {
        this.mapping = mapping;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    void clear() {
        published.clear();
        receivedMicros.clear();
        batches.clear();
        sampleBatches.clear();
        applyThreads.clear();
    }

    // ---- bus listener (called by the emulator inside its store lock: keep it cheap)

    @Override
    @SuppressWarnings("unchecked")
    public void accept(List<StreamEvent> events) {
        if (!recording) {
            return;
        }
        for (StreamEvent e : events) {
            if (!e.channels().contains(CHANNEL)) {
                continue;
            }
            Map<String, Object> header = (Map<String, Object>) e.payload().get("ChangeEventHeader");
            if (header == null) {
                continue;
            }
            published.add(new Published(e.replayId(), ((Number) header.get("commitTimestamp")).longValue(),
                    String.valueOf(header.get("changeType")), List.copyOf((List<String>) header.get("recordIds"))));
        }
    }

    // ---- route instrumentation

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        String id = definition.getId();
        if (("intake-" + mapping).equals(id)) {
            return new DelegateAsyncProcessor(target) {
                @Override
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    return super.process(exchange, done -> {
                        if (exchange.getMessage().getBody() instanceof StagedEvent e) {
                            receivedMicros.putIfAbsent(e.replayId(), nowMicros());
                        }
                        callback.done(done);
                    });
                }
            };
        }
        if (("stage-and-apply-" + mapping).equals(id)) {
            return new DelegateAsyncProcessor(target) {
                @Override
                @SuppressWarnings("unchecked")
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    long start = nowMicros();
                    applying = Thread.currentThread();
                    applyThreads.merge(Thread.currentThread().getName().replaceAll("#\\d+", "#n"), 1, Integer::sum);
                    Object body = exchange.getMessage().getBody();
                    List<StagedEvent> batch = body instanceof List<?> l ? (List<StagedEvent>) l : List.of();
                    if (recording && !batch.isEmpty() && sampleBatches.size() < 20) {
                        sampleBatches.add(List.copyOf(batch));
                    }
                    return super.process(exchange, done -> {
                        applying = null;
                        if (!batch.isEmpty()) {
                            batches.add(new Batch(batch.get(0).replayId(), batch.get(batch.size() - 1).replayId(),
                                    batch.size(), start, nowMicros(), exchange.getException() != null));
                        }
                        callback.done(done);
                    });
                }
            };
        }
        return target;
    }

    /** Successful batches, in replay order. */
    List<Batch> appliedBatches() {
        List<Batch> out = new ArrayList<>();
        for (Batch b : batches) {
            if (!b.failed()) {
                out.add(b);
            }
        }
        out.sort(Comparator.comparingLong(Batch::firstReplayId));
        return out;
    }

    /** The applied batch holding {@code replayId}, or null. */
    static Batch find(List<Batch> sorted, long replayId) {
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Batch b = sorted.get(mid);
            if (replayId < b.firstReplayId()) {
                hi = mid - 1;
            } else if (replayId > b.lastReplayId()) {
                lo = mid + 1;
            } else {
                return b;
            }
        }
        return null;
    }
}
