package emulator.camel;

import emulator.SalesforceEmulator;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static emulator.camel.CamelEmulatorSupport.admin;
import static org.awaitility.Awaitility.await;

/** Collects the change events a camel-salesforce streaming consumer route delivers. */
final class CdcEvents {
    /** One received exchange, reduced to what the tests assert on. */
    record Event(String changeType, List<String> recordIds, long replayId, Map<String, Object> headers, Map<String, Object> body) {
        static Event of(Message m) {
            Map<String, Object> headers = new LinkedHashMap<>(m.getHeaders());
            List<String> ids = new ArrayList<>();
            Object raw = headers.get("CamelSalesforceRecordIds");
            if (raw instanceof Iterable<?> it) {
                it.forEach(o -> ids.add(String.valueOf(o)));
            } else if (raw instanceof Object[] arr) {
                for (Object o : arr) {
                    ids.add(String.valueOf(o));
                }
            }
            Object replay = headers.get("CamelSalesforceReplayId");
            @SuppressWarnings("unchecked")
            Map<String, Object> body = m.getBody() instanceof Map<?, ?> map ? new LinkedHashMap<>((Map<String, Object>) map) : null;
            return new Event((String) headers.get("CamelSalesforceChangeType"), ids,
                    replay instanceof Number n ? n.longValue() : Long.MIN_VALUE, headers, body);
        }

        boolean isFor(String id) {
            return recordIds.contains(id);
        }
    }

    final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger probes = new AtomicInteger();

    /** Adds a route consuming {@code uri} into this collector. */
    void route(CamelContext ctx, String routeId, String uri) throws Exception {
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId(routeId).process(e -> events.add(Event.of(e.getMessage())));
            }
        });
    }

    List<Event> forRecord(String id) {
        return events.stream().filter(e -> e.isFor(id)).toList();
    }

    /**
     * With replayId -1 a subscription only sees events published after the server registered it,
     * and nothing on the client tells when that is. So: seed probe Accounts until one of their
     * events comes through. Tests then assert on their own records' events only.
     */
    void awaitLive(SalesforceEmulator emulator) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            admin(emulator, "/emulator/seed", "{\"Account\":[{\"Name\":\"probe-" + probes.incrementAndGet() + "\"}]}");
            return events.stream().anyMatch(e -> e.body() != null && String.valueOf(e.body().get("Name")).startsWith("probe-"));
        });
    }

    /**
     * camel-salesforce keeps its CometD replay extension (channel -> last replayId) in a static
     * field, shared by every SalesforceComponent in the JVM and never cleared. A new JVM starts
     * with it empty; tests that start several consumers in one JVM clear it to get the same start.
     */
    static void clearCamelReplayMap() {
        try {
            Class<?> helper = Class.forName("org.apache.camel.component.salesforce.internal.streaming.SubscriptionHelper");
            Field f = helper.getDeclaredField("REPLAY_EXTENSION");
            f.setAccessible(true);
            Object extension = f.get(null);
            Field map = extension.getClass().getDeclaredField("dataMap");
            map.setAccessible(true);
            ((Map<?, ?>) map.get(extension)).clear();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("camel-salesforce internals changed: " + e, e);
        }
    }
}
