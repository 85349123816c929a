package bench;

import emulator.cdc.StreamEvent;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Observes the PostgreSQL -> Salesforce flow without touching production code: (1) every Account
 * change event the emulator publishes, i.e. every record write it committed (commitTimestamp,
 * record Ids, the mapped fields' values, changeOrigin; a bus listener), (2) when each change
 * captured by Debezium reached the route's queueing step, by WAL position, and (3) which thread
 * is inside the writer's tick and for how long. (2) and (3) wrap the steps
 * {@code queue-for-salesforce} and {@code write-to-salesforce} with a Camel
 * {@link InterceptStrategy}, which applies to routes added after it is registered.
 */
final class OutboundProbe implements InterceptStrategy, Consumer<List<StreamEvent>> {
    static final String CHANNEL = "/data/AccountChangeEvent";
    private static final String CAPTURE_STEP = "queue-for-salesforce";
    private static final String WRITE_STEP = "write-to-salesforce";
    private static final String SOURCE = "CamelDebeziumSourceMetadata";
    /** The event's ts_ms: when Debezium's connector processed the change (read it from the slot). */
    private static final String PROCESSED = "CamelDebeziumTimestamp";

    /** One committed write of the emulator: each record Id in it is one record written. */
    record Written(long replayId, long commitMicros, String changeType, List<String> recordIds, Map<String, Object> fields,
                   String origin, String transactionKey) {
    }

    volatile boolean recording;
    final ConcurrentLinkedQueue<Written> written = new ConcurrentLinkedQueue<>();
    /** WAL position of a captured change -> when it reached the queueing step (epoch microseconds). */
    final Map<Long, Long> capturedMicros = new ConcurrentHashMap<>();
    /** WAL position of a captured change -> when Debezium's connector processed it (epoch milliseconds). */
    final Map<Long, Long> processedMillis = new ConcurrentHashMap<>();
    /** The thread inside the writer's tick right now, or null (for {@link BenchSampler}). */
    volatile Thread writing;
    /** When the tick in progress started, and when the writer's account was last reset (epoch microseconds). */
    private volatile long tickStart;
    private volatile long accountFrom;
    /** Time spent in the writer's ticks since the reset (a draining tick can last a whole phase), and ticks ended. */
    private final AtomicLong writerBusyMicros = new AtomicLong();
    private final AtomicLong writerTicks = new AtomicLong();

    // ---- bus listener (called by the emulator as it commits: keep it cheap)

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
            Map<String, Object> fields = new HashMap<>();
            for (String f : PostgresBenchDriver.FIELDS) {
                if (e.payload().containsKey(f)) {
                    fields.put(f, e.payload().get(f));
                }
            }
            // compound fields are nested in change events: BillingAddress: {City: ...}
            if (e.payload().get("BillingAddress") instanceof Map<?, ?> address && address.containsKey("City")) {
                fields.put("BillingCity", address.get("City"));
            }
            written.add(new Written(e.replayId(), ((Number) header.get("commitTimestamp")).longValue() * 1000,
                    String.valueOf(header.get("changeType")), List.copyOf((List<String>) header.get("recordIds")), fields,
                    String.valueOf(header.get("changeOrigin")), String.valueOf(header.get("transactionKey"))));
        }
    }

    /** Starts the writer's account afresh. */
    void resetWriterAccount() {
        accountFrom = BenchProbe.nowMicros();
        writerBusyMicros.set(0);
        writerTicks.set(0);
    }

    /**
     * Microseconds the writer spent in ticks that settled changes since the reset, counting the
     * tick in progress (whatever it settles), and how many such ticks ended.
     */
    long[] writerAccount() {
        long busy = writerBusyMicros.get();
        if (writing != null) {
            busy += BenchProbe.nowMicros() - Math.max(tickStart, accountFrom);
        }
        return new long[]{busy, writerTicks.get()};
    }

    // ---- route instrumentation

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (WRITE_STEP.equals(definition.getId())) {
            return new DelegateAsyncProcessor(target) {
                @Override
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    tickStart = BenchProbe.nowMicros();
                    writing = Thread.currentThread();
                    return super.process(exchange, done -> {
                        writing = null;
                        if (exchange.getMessage().getBody() instanceof Integer settled && settled > 0) {
                            writerBusyMicros.addAndGet(BenchProbe.nowMicros() - Math.max(tickStart, accountFrom));
                            writerTicks.incrementAndGet();
                        }
                        callback.done(done);
                    });
                }
            };
        }
        if (!CAPTURE_STEP.equals(definition.getId())) {
            return target;
        }
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                if (recording && exchange.getMessage().getHeader(SOURCE) instanceof Map<?, ?> source
                        && source.get("lsn") instanceof Number lsn) {
                    capturedMicros.putIfAbsent(lsn.longValue(), BenchProbe.nowMicros());
                    if (exchange.getMessage().getHeader(PROCESSED) instanceof Number processed) {
                        processedMillis.putIfAbsent(lsn.longValue(), processed.longValue());
                    }
                }
                return super.process(exchange, callback);
            }
        };
    }
}
