package emulator.cometd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.admin.ApiCounters;
import emulator.admin.Faults;
import emulator.auth.Sessions;
import emulator.cdc.EventBus;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events published from many threads while clients subscribe and long-poll: nothing lost, duplicated or reordered. */
class BayeuxServerConcurrencyTest {
    static final String ACCOUNT = "/data/AccountChangeEvent";
    static final String ALL = "/data/ChangeEvents";

    BayeuxServerTest.TestClock clock;
    EventBus bus;
    Sessions sessions;
    BayeuxServer server;
    String token;
    ExecutorService pool;

    @BeforeEach
    void setUp() {
        clock = new BayeuxServerTest.TestClock(Instant.parse("2024-04-09T20:00:00Z"));
        bus = new EventBus(clock, Duration.ofHours(72), 1);
        sessions = new Sessions(clock, "00D5f000000AbCd", Duration.ofHours(2));
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    void start() {
        server = new BayeuxServer(bus, sessions, new ApiCounters(), new Faults(), clock);
        token = sessions.issueAccess("0055f000005mc66AAA", "client").token();
    }

    JsonNode post(String body) {
        Response r = server.handle(Request.of("POST", "/cometd/61.0", null, Map.of("Authorization", "OAuth " + token),
                body.getBytes(StandardCharsets.UTF_8)), "61.0");
        return Json.parse(r.body());
    }

    String handshake() {
        return post("[{\"id\":\"1\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"ext\":{\"replay\":true}}]")
                .get(0).get("clientId").asText();
    }

    void subscribe(String clientId, String channel, long replayId) {
        JsonNode r = post("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId + "\",\"subscription\":\"" + channel
                + "\",\"id\":\"3\",\"ext\":{\"replay\":{\"" + channel + "\":" + replayId + "}}}]").get(0);
        assertThat(r.get("successful").asBoolean()).as(r.toString()).isTrue();
    }

    /** One connect (held unless {@code immediate}); returns the delivered replay ids in order. */
    List<Long> connect(String clientId, boolean immediate) {
        JsonNode reply = post("[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId + "\",\"connectionType\":\"long-polling\","
                + "\"id\":\"2\"" + (immediate ? ",\"advice\":{\"timeout\":0}" : "") + "}]");
        JsonNode last = reply.get(reply.size() - 1);
        assertThat(last.get("channel").asText()).isEqualTo("/meta/connect");
        assertThat(last.get("successful").asBoolean()).as(last.toString()).isTrue();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < reply.size() - 1; i++) {
            ids.add(reply.get(i).get("data").get("event").get("replayId").asLong());
        }
        return ids;
    }

    static void publishOne(EventBus bus, String... channels) {
        bus.publish(List.of(new EventBus.PendingEvent(Set.of(channels), "schema", Map.of("Name", "x"))));
    }

    @Test
    void concurrentPublishersAndSubscribersSeeEveryEventOnceInOrder() throws Exception {
        start();
        server.setHoldTimeout(Duration.ofMillis(500));
        server.setMaxEventsPerConnect(300);
        int threads = 4;
        int minPerThread = 1000;
        int maxPerThread = 20_000;

        String early = handshake(); // subscribed before anything is published, long-polls throughout
        subscribe(early, ACCOUNT, -1);
        List<Long> earlyIds = Collections.synchronizedList(new ArrayList<>());
        AtomicLong total = new AtomicLong(Long.MAX_VALUE);
        Future<?> poller = pool.submit(() -> {
            while (earlyIds.size() < total.get()) {
                earlyIds.addAll(connect(early, false));
            }
            return null;
        });

        // Publishers keep going until the subscriptions below are in place, so they race with them.
        AtomicBoolean subscribed = new AtomicBoolean();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            publishers.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < minPerThread || (!subscribed.get() && i < maxPerThread); i++) {
                    publishOne(bus, ACCOUNT, ALL);
                }
                return null;
            }));
        }
        go.countDown();

        // Subscribe new clients while the publishers run: -2 (everything), -1 (new only), N (after N).
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(20))
                .until(() -> bus.lastReplayId() >= 500);
        String all = handshake();
        String fresh = handshake();
        String afterN = handshake();
        subscribe(all, ACCOUNT, -2);
        subscribe(fresh, ALL, -1);
        long n = bus.lastReplayId() - 100;
        subscribe(afterN, ACCOUNT, n);
        long mark = bus.lastReplayId();
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(20))
                .until(() -> bus.lastReplayId() >= mark + 200);
        subscribed.set(true);
        List<Long> allIds = new ArrayList<>();
        List<Long> freshIds = new ArrayList<>();
        List<Long> afterNIds = new ArrayList<>();
        while (publishers.stream().anyMatch(f -> !f.isDone())) {
            allIds.addAll(connect(all, true));
            freshIds.addAll(connect(fresh, true));
            afterNIds.addAll(connect(afterN, false));
        }
        for (Future<?> f : publishers) {
            f.get(30, TimeUnit.SECONDS);
        }
        long last = bus.lastReplayId();
        total.set(last);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                allIds.addAll(connect(all, true));
                freshIds.addAll(connect(fresh, true));
                afterNIds.addAll(connect(afterN, true));
                return allIds.size() >= last && afterNIds.size() >= last - n
                        && !freshIds.isEmpty() && freshIds.get(freshIds.size() - 1) == last;
            });
            poller.get(30, TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
            throw new AssertionError("published " + last + ", all " + summary(allIds) + ", fresh " + summary(freshIds)
                    + ", afterN(" + n + ") " + summary(afterNIds) + ", early " + summary(earlyIds), e);
        }

        assertThat(last).isGreaterThanOrEqualTo((long) threads * minPerThread);
        List<Long> everything = LongStream.rangeClosed(1, last).boxed().toList();
        assertThat(earlyIds).containsExactlyElementsOf(everything);
        assertThat(allIds).containsExactlyElementsOf(everything);
        assertThat(afterNIds).containsExactlyElementsOf(LongStream.rangeClosed(n + 1, last).boxed().toList());
        long firstFresh = freshIds.get(0);
        assertThat(firstFresh).isLessThan(last);
        assertThat(freshIds).containsExactlyElementsOf(LongStream.rangeClosed(firstFresh, last).boxed().toList());
        // Nothing more arrives.
        assertThat(connect(all, true)).isEmpty();
        assertThat(connect(fresh, true)).isEmpty();
    }

    static String summary(List<Long> ids) {
        List<Long> copy;
        synchronized (ids) {
            copy = new ArrayList<>(ids);
        }
        if (copy.isEmpty()) {
            return "[]";
        }
        StringBuilder problems = new StringBuilder();
        for (int i = 1; i < copy.size() && problems.length() < 300; i++) {
            if (copy.get(i) != copy.get(i - 1) + 1) {
                problems.append(' ').append(copy.get(i - 1)).append("->").append(copy.get(i));
            }
        }
        return "[" + copy.size() + " ids " + copy.get(0) + ".." + copy.get(copy.size() - 1) + ";" + problems + "]";
    }

    @Test
    void manyClientsHoldConnectsWhileEventsArrive() throws Exception {
        start();
        server.setHoldTimeout(Duration.ofSeconds(5));
        int clients = 20;
        int events = 200;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String id = handshake();
            subscribe(id, i % 2 == 0 ? ACCOUNT : ALL, -1);
            ids.add(id);
        }
        List<CompletableFuture<List<Long>>> received = new ArrayList<>();
        for (String id : ids) {
            received.add(CompletableFuture.supplyAsync(() -> {
                List<Long> got = new ArrayList<>();
                while (got.size() < events) {
                    got.addAll(connect(id, false));
                }
                return got;
            }, pool));
        }
        for (int i = 0; i < events; i++) {
            publishOne(bus, ACCOUNT, ALL);
        }
        for (CompletableFuture<List<Long>> f : received) {
            assertThat(f.get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(LongStream.rangeClosed(1, events).boxed().toList());
        }
        assertThat(server.clientCount()).isEqualTo(clients);
    }

    @Test
    void aBatchTheServerNeverHearsAboutIsTakenFromTheBus() {
        // A listener registered before the server throws for one batch, so the server's listener never sees it.
        AtomicBoolean fail = new AtomicBoolean();
        bus.addListener(batch -> {
            if (fail.get()) {
                throw new IllegalStateException("listener failure");
            }
        });
        start();
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -1);
        publishOne(bus, ACCOUNT);
        fail.set(true);
        try {
            publishOne(bus, ACCOUNT);
        } catch (IllegalStateException expected) {
            // the bus propagates the failing listener's exception to the publisher
        }
        fail.set(false);
        publishOne(bus, ACCOUNT);
        List<Long> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            got.addAll(connect(clientId, true));
            return got.size() >= 3;
        });
        assertThat(got).containsExactly(1L, 2L, 3L);
    }
}
