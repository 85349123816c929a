package emulator.cometd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emulator.admin.ApiCounters;
import emulator.admin.Faults;
import emulator.auth.Sessions;
import emulator.cdc.EventBus;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BayeuxServerTest {

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    static final String ACCOUNT = "/data/AccountChangeEvent";
    static final String ALL = "/data/ChangeEvents";

    // Verbatim fixtures from /work/shared/salesforce/samples (see samples/README.md for provenance).
    static final String SAMPLE_HANDSHAKE = "{\"ext\":{\"replay\":true,\"payload.format\":true},\"minimumVersion\":\"1.0\","
            + "\"clientId\":\"41kdiuvgig2tfxdh9weakuiwyh\",\"supportedConnectionTypes\":[\"long-polling\"],"
            + "\"channel\":\"/meta/handshake\",\"id\":\"1\",\"version\":\"1.0\",\"successful\":true,\"reestablish\":false}";
    static final String SAMPLE_HANDSHAKE_DENIED = "{\"ext\":{\"sfdc\":{\"failureReason\":\"401::Authentication invalid\"}},"
            + "\"advice\":{\"reconnect\":\"none\"},\"channel\":\"/meta/handshake\",\"error\":\"403::Handshake denied\",\"successful\":false}";
    static final String SAMPLE_CONNECT_401 = "{\"clientId\":\"1q1ib66fvm7kli1gfoauu95i78g\",\"advice\":{\"reconnect\":\"none\",\"interval\":0},"
            + "\"channel\":\"/meta/connect\",\"id\":7,\"error\":\"401::Authentication invalid\",\"successful\":false}";
    static final String SAMPLE_SUBSCRIBE = "{\"clientId\":\"41kdiuvgig2tfxdh9weakuiwyh\",\"channel\":\"/meta/subscribe\","
            + "\"id\":\"15\",\"subscription\":\"/topic/InvoiceStatementUpdates\",\"successful\":true}";

    TestClock clock;
    EventBus bus;
    Sessions sessions;
    ApiCounters counters;
    Faults faults;
    BayeuxServer server;
    String token;

    @BeforeEach
    void setUp() {
        clock = new TestClock(Instant.parse("2024-04-09T20:00:00Z"));
        bus = new EventBus(clock, Duration.ofHours(72), 1);
        sessions = new Sessions(clock, "00D5f000000AbCd", Duration.ofHours(2));
        counters = new ApiCounters();
        faults = new Faults();
        server = new BayeuxServer(bus, sessions, counters, faults, clock);
        token = sessions.issueAccess("0055f000005mc66AAA", "client").token();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    // ------------------------------------------------------------------ helpers

    Response raw(String method, String version, Map<String, String> headers, String body) {
        return server.handle(Request.of(method, "/cometd/" + version, null, headers,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8)), version);
    }

    Response send(String token, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json;charset=UTF-8");
        if (token != null) {
            headers.put("Authorization", "OAuth " + token);
        }
        return raw("POST", "61.0", headers, body);
    }

    JsonNode post(String body) {
        Response r = send(token, body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/json;charset=UTF-8");
        JsonNode node = Json.parse(r.body());
        assertThat(node.isArray()).as("reply is a JSON array: %s", node).isTrue();
        return node;
    }

    String handshake() {
        JsonNode r = post("[{\"id\":\"1\",\"version\":\"1.0\",\"minimumVersion\":\"1.0\",\"channel\":\"/meta/handshake\","
                + "\"supportedConnectionTypes\":[\"long-polling\"],\"advice\":{\"timeout\":60000,\"interval\":0},\"ext\":{\"replay\":true}}]");
        assertThat(r.get(0).get("successful").asBoolean()).isTrue();
        return r.get(0).get("clientId").asText();
    }

    JsonNode subscribe(String clientId, String channel, Object replayId) {
        String ext = replayId == null ? "" : ",\"ext\":{\"replay\":{\"" + channel + "\":" + Json.MAPPER.valueToTree(replayId) + "}}";
        return post("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId + "\",\"subscription\":\"" + channel
                + "\",\"id\":\"3\"" + ext + "}]").get(0);
    }

    JsonNode connectNow(String clientId) {
        return post("[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                + "\",\"connectionType\":\"long-polling\",\"id\":\"2\",\"advice\":{\"timeout\":0}}]");
    }

    CompletableFuture<JsonNode> connectAsync(String clientId) {
        return CompletableFuture.supplyAsync(() -> post("[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                + "\",\"connectionType\":\"long-polling\",\"id\":\"4\"}]"));
    }

    static JsonNode await(CompletableFuture<JsonNode> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("connect did not complete", e);
        }
    }

    List<Long> publish(int n, String... channels) {
        List<EventBus.PendingEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("ChangeEventHeader", Map.of("entityName", "Account", "changeType", "CREATE"));
            payload.put("Name", "Acme " + i);
            events.add(new EventBus.PendingEvent(Set.of(channels), "IeRuaY6cbI_HsV8Rv1Mc5g", payload));
        }
        return bus.publish(events).stream().map(e -> e.replayId()).toList();
    }

    /** Replay ids of the data messages in a connect reply, asserting they all precede the /meta/connect reply. */
    static List<Long> replayIds(JsonNode reply) {
        List<Long> ids = new ArrayList<>();
        assertThat(reply.get(reply.size() - 1).get("channel").asText()).isEqualTo("/meta/connect");
        for (int i = 0; i < reply.size() - 1; i++) {
            JsonNode m = reply.get(i);
            assertThat(m.has("data")).as("data message first: %s", m).isTrue();
            ids.add(m.get("data").get("event").get("replayId").asLong());
        }
        return ids;
    }

    static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = n.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    // ------------------------------------------------------------------ handshake

    @Test
    void handshakeReplyMatchesSalesforceSample() {
        Response r = send(token, "[{\"id\":\"1\",\"version\":\"1.0\",\"minimumVersion\":\"1.0\",\"channel\":\"/meta/handshake\","
                + "\"supportedConnectionTypes\":[\"long-polling\"],\"advice\":{\"timeout\":60000,\"interval\":0},\"ext\":{\"replay\":true}}]");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/json;charset=UTF-8");
        assertThat(r.header("Set-Cookie")).matches("BAYEUX_BROWSER=[a-z0-9]+; Path=/");
        JsonNode reply = Json.parse(r.body());
        assertThat(reply.size()).isEqualTo(1);
        JsonNode h = reply.get(0);
        JsonNode sample = Json.parse(SAMPLE_HANDSHAKE.getBytes(StandardCharsets.UTF_8));
        assertThat(keys(h)).containsExactlyInAnyOrderElementsOf(keys(sample));
        assertThat(h.get("clientId").asText()).matches("[a-z0-9]{26,28}");
        ((ObjectNode) h).put("clientId", sample.get("clientId").asText());
        assertThat(h).isEqualTo(sample);
        assertThat(server.clientCount()).isEqualTo(1);
        assertThat(counters.get("cometd.handshake")).isEqualTo(1);
    }

    @Test
    void handshakeAcceptsBearerAndSingleObjectBodies() {
        Response r = raw("POST", "61.0", Map.of("Authorization", "Bearer " + token),
                "{\"channel\":\"/meta/handshake\",\"id\":\"9\",\"version\":\"1.0\",\"supportedConnectionTypes\":[\"long-polling\"]}");
        JsonNode reply = Json.parse(r.body());
        assertThat(reply.isArray()).isTrue();
        assertThat(reply.get(0).get("successful").asBoolean()).isTrue();
        assertThat(reply.get(0).get("id").asText()).isEqualTo("9");
        String first = reply.get(0).get("clientId").asText();
        assertThat(handshake()).isNotEqualTo(first);
    }

    @Test
    void handshakeWithInvalidTokenIsDeniedLikeTheSample() {
        JsonNode reply = Json.parse(send("00Dbogus!token", "[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                + "\"supportedConnectionTypes\":[\"long-polling\"]}]").body());
        assertThat(reply.get(0)).isEqualTo(Json.parse(SAMPLE_HANDSHAKE_DENIED.getBytes(StandardCharsets.UTF_8)));
        assertThat(server.clientCount()).isZero();
    }

    @Test
    void handshakeWithoutAuthorizationSaysAuthenticationRequired() {
        JsonNode h = Json.parse(send(null, "[{\"channel\":\"/meta/handshake\",\"id\":\"1\",\"version\":\"1.0\"}]").body()).get(0);
        assertThat(h.get("error").asText()).isEqualTo("403::Handshake denied");
        assertThat(h.get("ext").get("sfdc").get("failureReason").asText()).isEqualTo("401::Request requires authentication");
        assertThat(h.get("advice").get("reconnect").asText()).isEqualTo("none");
        assertThat(h.get("id").asText()).isEqualTo("1");
        assertThat(h.get("successful").asBoolean()).isFalse();
    }

    @Test
    void handshakeWithExpiredTokenIsDenied() {
        clock.advance(Duration.ofHours(3));
        JsonNode h = Json.parse(send(token, "[{\"channel\":\"/meta/handshake\",\"id\":\"1\"}]").body()).get(0);
        assertThat(h.get("error").asText()).isEqualTo("403::Handshake denied");
        assertThat(h.get("ext").get("sfdc").get("failureReason").asText()).isEqualTo("401::Authentication invalid");
    }

    // ------------------------------------------------------------------ connect

    @Test
    void firstConnectWithTimeoutZeroIsAnsweredImmediately() {
        String clientId = handshake();
        JsonNode reply = await(CompletableFuture.supplyAsync(() -> connectNow(clientId)));
        assertThat(reply.size()).isEqualTo(1);
        JsonNode c = reply.get(0);
        assertThat(c).isEqualTo(Json.parse(("{\"clientId\":\"" + clientId + "\",\"advice\":{\"interval\":0,\"timeout\":110000,"
                + "\"reconnect\":\"retry\"},\"channel\":\"/meta/connect\",\"id\":\"2\",\"successful\":true}").getBytes(StandardCharsets.UTF_8)));
        assertThat(counters.get("cometd.connect")).isEqualTo(1);
    }

    @Test
    void heldConnectIsReleasedByAPublishedEventWithTheDataMessageFirst() {
        server.setHoldTimeout(Duration.ofSeconds(60));
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -1);
        connectNow(clientId);
        CompletableFuture<JsonNode> held = connectAsync(clientId);
        publish(1, ACCOUNT, ALL);
        JsonNode reply = await(held);
        assertThat(reply.size()).isEqualTo(2);
        JsonNode data = reply.get(0);
        assertThat(keys(data)).containsExactly("data", "channel");
        assertThat(data.get("channel").asText()).isEqualTo(ACCOUNT);
        assertThat(keys(data.get("data"))).containsExactly("schema", "payload", "event");
        assertThat(data.get("data").get("schema").asText()).isEqualTo("IeRuaY6cbI_HsV8Rv1Mc5g");
        assertThat(data.get("data").get("payload").get("Name").asText()).isEqualTo("Acme 0");
        assertThat(data.get("data").get("event").get("replayId").isIntegralNumber()).isTrue();
        assertThat(data.get("data").get("event").get("replayId").asLong()).isEqualTo(1);
        assertThat(reply.get(1).get("channel").asText()).isEqualTo("/meta/connect");
        assertThat(reply.get(1).get("successful").asBoolean()).isTrue();
        assertThat(reply.get(1).get("id").asText()).isEqualTo("4");
    }

    @Test
    void heldConnectTimesOutWithAnEmptyReply() {
        server.setHoldTimeout(Duration.ofMillis(150));
        String clientId = handshake();
        JsonNode reply = await(connectAsync(clientId));
        assertThat(reply.size()).isEqualTo(1);
        assertThat(reply.get(0).get("successful").asBoolean()).isTrue();
        assertThat(reply.get(0).get("advice").get("reconnect").asText()).isEqualTo("retry");
    }

    @Test
    void aSecondConnectReleasesTheFirst() {
        server.setHoldTimeout(Duration.ofSeconds(60));
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -1);
        CompletableFuture<JsonNode> first = connectAsync(clientId);
        // Each immediate connect supersedes whatever connect of this client is held at that moment.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            assertThat(connectNow(clientId).get(0).get("successful").asBoolean()).isTrue();
            return first.isDone();
        });
        JsonNode reply = await(first);
        assertThat(reply.size()).isEqualTo(1);
        assertThat(reply.get(0).get("successful").asBoolean()).isTrue();
    }

    @Test
    void connectWithExpiredTokenGetsThe401Shape() {
        String clientId = handshake();
        clock.advance(Duration.ofHours(3)); // token ttl is 2 h
        JsonNode reply = Json.parse(send(token, "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                + "\",\"connectionType\":\"long-polling\",\"id\":7}]").body());
        ObjectNode expected = (ObjectNode) Json.parse(SAMPLE_CONNECT_401.getBytes(StandardCharsets.UTF_8));
        expected.put("clientId", clientId);
        assertThat(reply.get(0)).isEqualTo(expected);
    }

    @Test
    void connectForUnknownClientAsksForAHandshake() {
        JsonNode c = connectNow("nosuchclient0000000000000a").get(0);
        assertThat(c.get("successful").asBoolean()).isFalse();
        assertThat(c.get("error").asText()).isEqualTo("403::Unknown client");
        assertThat(c.get("advice").get("reconnect").asText()).isEqualTo("handshake");
        assertThat(c.get("advice").get("interval").asInt()).isZero();
        assertThat(c.get("channel").asText()).isEqualTo("/meta/connect");
        assertThat(c.get("id").asText()).isEqualTo("2");
    }

    @Test
    void clientsThatDoNotReconnectWithinTheExpiryAreDropped() {
        String clientId = handshake();
        connectNow(clientId);
        clock.advance(Duration.ofSeconds(39));
        assertThat(connectNow(clientId).get(0).get("successful").asBoolean()).isTrue();
        clock.advance(Duration.ofSeconds(41));
        assertThat(connectNow(clientId).get(0).get("error").asText()).isEqualTo("403::Unknown client");
        assertThat(server.clientCount()).isZero();
    }

    @Test
    void theSweeperDropsIdleClientsWithoutARequest() {
        handshake();
        clock.advance(Duration.ofSeconds(41));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.clientCount() == 0);
    }

    @Test
    void disconnectReleasesTheHeldConnect() {
        server.setHoldTimeout(Duration.ofSeconds(60));
        String clientId = handshake();
        CompletableFuture<JsonNode> held = connectAsync(clientId);
        JsonNode d = post("[{\"channel\":\"/meta/disconnect\",\"clientId\":\"" + clientId + "\",\"id\":\"5\"}]").get(0);
        assertThat(d.get("successful").asBoolean()).isTrue();
        assertThat(d.get("id").asText()).isEqualTo("5");
        assertThat(server.clientCount()).isZero();
        JsonNode reply = await(held);
        // Either the connect was already held (then it is answered 403) or it arrived after the disconnect.
        assertThat(reply.get(0).get("error").asText()).isEqualTo("403::Unknown client");
        assertThat(counters.get("cometd.disconnect")).isEqualTo(1);
    }

    @Test
    void disconnectAllForcesARehandshake() {
        server.setHoldTimeout(Duration.ofSeconds(60));
        String a = handshake();
        String b = handshake();
        CompletableFuture<JsonNode> held = connectAsync(a);
        server.disconnectAll();
        assertThat(server.clientCount()).isZero();
        assertThat(await(held).get(0).get("advice").get("reconnect").asText()).isEqualTo("handshake");
        assertThat(connectNow(b).get(0).get("error").asText()).isEqualTo("403::Unknown client");
    }

    @Test
    void closeWakesHeldConnects() {
        server.setHoldTimeout(Duration.ofSeconds(60));
        String clientId = handshake();
        CompletableFuture<JsonNode> held = connectAsync(clientId);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            server.close();
            return held.isDone();
        });
        assertThat(await(held).get(0).get("channel").asText()).isEqualTo("/meta/connect");
    }

    @Test
    void connectRepliesAreCappedAtMaxEventsPerConnect() {
        server.setMaxEventsPerConnect(1000);
        publish(2500, ACCOUNT);
        String clientId = handshake();
        assertThat(subscribe(clientId, ACCOUNT, -2).get("successful").asBoolean()).isTrue();
        List<Long> first = replayIds(connectNow(clientId));
        List<Long> second = replayIds(await(connectAsync(clientId)));
        List<Long> third = replayIds(await(connectAsync(clientId)));
        assertThat(first).hasSize(1000).startsWith(1L);
        assertThat(second).hasSize(1000).startsWith(1001L);
        assertThat(third).hasSize(500).endsWith(2500L);
    }

    // ------------------------------------------------------------------ subscribe and replay

    @Test
    void subscribeReplyMatchesTheSample() {
        String clientId = handshake();
        JsonNode s = post("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId
                + "\",\"subscription\":\"/topic/InvoiceStatementUpdates\",\"id\":\"15\"}]").get(0);
        ObjectNode expected = (ObjectNode) Json.parse(SAMPLE_SUBSCRIBE.getBytes(StandardCharsets.UTF_8));
        expected.put("clientId", clientId);
        assertThat(s).isEqualTo(expected);
        assertThat(counters.get("cometd.subscribe")).isEqualTo(1);
    }

    @Test
    void replayMinusOneDeliversOnlyNewEvents() {
        publish(2, ACCOUNT);
        String clientId = handshake();
        assertThat(subscribe(clientId, ACCOUNT, -1).get("successful").asBoolean()).isTrue();
        assertThat(replayIds(connectNow(clientId))).isEmpty();
        publish(1, ACCOUNT);
        assertThat(replayIds(connectNow(clientId))).containsExactly(3L);
    }

    @Test
    void noReplayExtensionMeansNewEventsOnly() {
        publish(2, ACCOUNT);
        String clientId = handshake();
        assertThat(subscribe(clientId, ACCOUNT, null).get("successful").asBoolean()).isTrue();
        publish(1, ACCOUNT);
        assertThat(replayIds(connectNow(clientId))).containsExactly(3L);
    }

    @Test
    void replayMinusTwoDeliversTheRetainedEventsThenNewOnes() {
        publish(2, ACCOUNT);
        publish(1, "/data/ContactChangeEvent");
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -2);
        publish(1, ACCOUNT);
        assertThat(replayIds(connectNow(clientId))).containsExactly(1L, 2L, 4L);
    }

    @Test
    void replayNDeliversTheEventsAfterN() {
        publish(3, ACCOUNT);
        String a = handshake();
        subscribe(a, ACCOUNT, 1);
        assertThat(replayIds(connectNow(a))).containsExactly(2L, 3L);
        String b = handshake();
        assertThat(subscribe(b, ACCOUNT, "2").get("successful").asBoolean()).as("numeric string").isTrue();
        assertThat(replayIds(connectNow(b))).containsExactly(3L);
    }

    @Test
    void anInvalidReplayIdIsRejectedWithSalesforcesText() {
        publish(3, ACCOUNT);
        String clientId = handshake();
        JsonNode s = subscribe(clientId, ACCOUNT, 82);
        assertThat(s.get("successful").asBoolean()).isFalse();
        assertThat(s.get("error").asText()).isEqualTo("400::The replayId {82} you provided was invalid. Please provide a valid ID,"
                + " -2 to replay all events, or -1 to replay only new events.");
        assertThat(s.get("error").asText()).matches("400::The replayId \\{.*} you provided was invalid.*"); // Camel's pattern
        assertThat(s.get("subscription").asText()).isEqualTo(ACCOUNT);
        assertThat(s.get("channel").asText()).isEqualTo("/meta/subscribe");
        assertThat(s.get("id").asText()).isEqualTo("3");
        assertThat(s.get("clientId").asText()).isEqualTo(clientId);
        // Not subscribed: a later event is not delivered.
        publish(1, ACCOUNT);
        assertThat(replayIds(connectNow(clientId))).isEmpty();
    }

    @Test
    void aReplayIdOlderThanTheRetentionWindowIsInvalid() {
        publish(2, ACCOUNT);
        clock.advance(Duration.ofHours(73));
        publish(1, ACCOUNT);
        token = sessions.issueAccess("0055f000005mc66AAA", "client").token();
        String clientId = handshake();
        assertThat(subscribe(clientId, ACCOUNT, 1).get("error").asText()).startsWith("400::The replayId {1} you provided was invalid.");
        assertThat(subscribe(clientId, ACCOUNT, -2).get("successful").asBoolean()).isTrue();
        assertThat(replayIds(connectNow(clientId))).containsExactly(3L);
    }

    @Test
    void aReplayMapWithoutTheChannelIsRejected() {
        String clientId = handshake();
        JsonNode s = post("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId + "\",\"subscription\":\"" + ACCOUNT
                + "\",\"id\":\"3\",\"ext\":{\"replay\":{}}}]").get(0);
        assertThat(s.get("successful").asBoolean()).isFalse();
        assertThat(s.get("error").asText()).isEqualTo("400::The replayId for channel {/data/AccountChangeEvent} wasn't found using"
                + " the provided replay ID map {{}}. Ensure that the channel name you provided in the replay map is valid and matches"
                + " the channel name used for subscribing.");
        assertThat(s.get("subscription").asText()).isEqualTo(ACCOUNT);
    }

    @Test
    void unknownChannelsAndBadNamesAreRejected() {
        String clientId = handshake();
        JsonNode s = subscribe(clientId, "/data/NoSuchThing", -1);
        assertThat(s.get("error").asText()).isEqualTo("400::The channel you requested to subscribe to doesn't exist {/data/NoSuchThing}");
        assertThat(s.get("subscription").asText()).isEqualTo("/data/NoSuchThing");
        JsonNode t = post("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId
                + "\",\"subscription\":\"data/AccountChangeEvent\",\"id\":\"3\"}]").get(0);
        assertThat(t.get("error").asText()).isEqualTo("400::Channel subscriptions must start with a leading '/'");
        for (String ok : List.of(ALL, ACCOUNT, "/data/Employee__ChangeEvent", "/data/Sync__chn", "/event/Low_Ink__e", "/topic/Invoices")) {
            assertThat(subscribe(clientId, ok, -1).get("successful").asBoolean()).as(ok).isTrue();
        }
    }

    @Test
    void subscribeForAnUnknownClientIs403() {
        JsonNode s = subscribe("nosuchclient0000000000000a", ACCOUNT, -1);
        assertThat(s.get("error").asText()).isEqualTo("403::Unknown client");
        assertThat(s.get("advice").get("reconnect").asText()).isEqualTo("handshake");
        assertThat(s.get("subscription").asText()).isEqualTo(ACCOUNT);
    }

    @Test
    void subscribingTwiceDoesNotDuplicateDeliveries() {
        publish(2, ACCOUNT);
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -2);
        subscribe(clientId, ACCOUNT, -2);
        publish(1, ACCOUNT);
        assertThat(replayIds(connectNow(clientId))).containsExactly(1L, 2L, 3L);
    }

    @Test
    void oneMessagePerSubscribedChannelCarryingTheEvent() {
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -1);
        subscribe(clientId, ALL, -1);
        publish(1, ACCOUNT, ALL);
        JsonNode reply = connectNow(clientId);
        assertThat(replayIds(reply)).containsExactly(1L, 1L);
        assertThat(List.of(reply.get(0).get("channel").asText(), reply.get(1).get("channel").asText()))
                .containsExactlyInAnyOrder(ACCOUNT, ALL);
    }

    @Test
    void unsubscribeStopsDelivery() {
        String clientId = handshake();
        subscribe(clientId, ACCOUNT, -1);
        publish(1, ACCOUNT);
        JsonNode u = post("[{\"channel\":\"/meta/unsubscribe\",\"clientId\":\"" + clientId + "\",\"subscription\":\"" + ACCOUNT
                + "\",\"id\":\"8\"}]").get(0);
        assertThat(u.get("successful").asBoolean()).isTrue();
        assertThat(u.get("subscription").asText()).isEqualTo(ACCOUNT);
        assertThat(u.get("id").asText()).isEqualTo("8");
        publish(1, ACCOUNT);
        assertThat(replayIds(connectNow(clientId))).isEmpty();
        assertThat(counters.get("cometd.unsubscribe")).isEqualTo(1);
    }

    @Test
    void twoClientsEachReceiveTheEvent() {
        server.setHoldTimeout(Duration.ofSeconds(60));
        String a = handshake();
        String b = handshake();
        subscribe(a, ACCOUNT, -1);
        subscribe(b, ALL, -1);
        CompletableFuture<JsonNode> ha = connectAsync(a);
        CompletableFuture<JsonNode> hb = connectAsync(b);
        publish(1, ACCOUNT, ALL);
        JsonNode ra = await(ha);
        JsonNode rb = await(hb);
        assertThat(replayIds(ra)).containsExactly(1L);
        assertThat(ra.get(0).get("channel").asText()).isEqualTo(ACCOUNT);
        assertThat(replayIds(rb)).containsExactly(1L);
        assertThat(rb.get(0).get("channel").asText()).isEqualTo(ALL);
    }

    @Test
    void aBatchWithSubscribeAndConnectIsAnsweredInOrder() {
        publish(1, ACCOUNT);
        String clientId = handshake();
        JsonNode reply = post("[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId + "\",\"subscription\":\"" + ACCOUNT
                + "\",\"id\":\"3\",\"ext\":{\"replay\":{\"" + ACCOUNT + "\":-2}}},"
                + "{\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId + "\",\"connectionType\":\"long-polling\",\"id\":\"4\"}]");
        assertThat(reply.size()).isEqualTo(3);
        assertThat(reply.get(0).get("channel").asText()).isEqualTo("/meta/subscribe");
        assertThat(reply.get(1).get("channel").asText()).isEqualTo(ACCOUNT);
        assertThat(reply.get(2).get("channel").asText()).isEqualTo("/meta/connect");
    }

    // ------------------------------------------------------------------ faults

    @Test
    void serverUnavailableFaultOnConnectAsksForARetry() {
        String clientId = handshake();
        faults.add("cometd.connect", Faults.Kind.SERVER_UNAVAILABLE, 1);
        JsonNode c = connectNow(clientId).get(0);
        assertThat(c.get("successful").asBoolean()).isFalse();
        assertThat(c.get("error").asText()).isEqualTo("503::Server is too busy.  Please try your request again later.");
        assertThat(c.get("ext").get("sfdc").get("failureReason").asText())
                .isEqualTo("503::Server is too busy.  Please try your request again later.");
        assertThat(c.get("advice").get("reconnect").asText()).isEqualTo("retry");
        assertThat(c.get("advice").get("interval").asInt()).isZero();
        assertThat(c.get("clientId").asText()).isEqualTo(clientId);
        assertThat(connectNow(clientId).get(0).get("successful").asBoolean()).isTrue();
    }

    @Test
    void faultsOnHandshakeAndSubscribe() {
        faults.add("cometd.handshake", Faults.Kind.SERVER_UNAVAILABLE, 1);
        JsonNode h = post("[{\"channel\":\"/meta/handshake\",\"id\":\"1\"}]").get(0);
        assertThat(h.get("error").asText()).startsWith("503::");
        assertThat(h.get("ext").get("sfdc").get("failureReason").asText()).startsWith("503::");
        String clientId = handshake();
        faults.add("cometd.subscribe", Faults.Kind.SERVER_UNAVAILABLE, 1);
        JsonNode s = subscribe(clientId, ACCOUNT, -1);
        assertThat(s.get("successful").asBoolean()).isFalse();
        assertThat(s.get("ext").get("sfdc").get("failureReason").asText()).startsWith("503::");
        assertThat(s.get("subscription").asText()).isEqualTo(ACCOUNT);
        assertThat(subscribe(clientId, ACCOUNT, -1).get("successful").asBoolean()).isTrue();
    }

    @Test
    void invalidSessionFaultOnConnectGivesThe401Shape() {
        String clientId = handshake();
        faults.add("cometd.connect", Faults.Kind.INVALID_SESSION_ID, 1);
        JsonNode c = connectNow(clientId).get(0);
        assertThat(c.get("error").asText()).isEqualTo("401::Authentication invalid");
        assertThat(c.get("advice").get("reconnect").asText()).isEqualTo("none");
        assertThat(c.get("advice").get("interval").asInt()).isZero();
    }

    // ------------------------------------------------------------------ transport-level errors

    @Test
    void versionsBefore37AreRefused() {
        Response r = raw("POST", "36.0", Map.of("Authorization", "OAuth " + token), "[{\"channel\":\"/meta/handshake\",\"id\":\"1\"}]");
        assertThat(r.status()).isEqualTo(400);
        JsonNode m = Json.parse(r.body()).get(0);
        assertThat(m.get("error").asText()).isEqualTo("400::Unsupported API version. Only API versions '37.0' and later are supported");
        assertThat(m.get("successful").asBoolean()).isFalse();
        assertThat(m.get("channel").asText()).isEqualTo("/meta/handshake");
        assertThat(m.get("ext").get("sfdc").get("failureReason").asText()).contains("Unsupported API version");
        assertThat(raw("POST", "37.0", Map.of("Authorization", "OAuth " + token), "[{\"channel\":\"/meta/handshake\"}]").status())
                .isEqualTo(200);
        assertThat(raw("POST", "junk", Map.of(), "[]").status()).isEqualTo(400);
    }

    @Test
    void malformedBodiesGetBayeuxErrors() {
        for (String body : new String[] {"not json", "", "[{\"channel\":", "[1]", "[{\"id\":\"1\"}]"}) {
            Response r = send(token, body);
            JsonNode reply = Json.parse(r.body());
            assertThat(reply.isArray()).as(body).isTrue();
            assertThat(reply.get(0).get("successful").asBoolean()).as(body).isFalse();
            assertThat(reply.get(0).get("error").asText()).as(body).startsWith("400::");
        }
        assertThat(post("[]")).isEmpty();
    }

    @Test
    void nonPostIsRefused() {
        Response r = raw("GET", "61.0", Map.of("Authorization", "OAuth " + token), null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Content-Type")).isEqualTo("application/json;charset=UTF-8");
        JsonNode m = Json.parse(r.body()).get(0);
        assertThat(m.get("successful").asBoolean()).isFalse();
        assertThat(m.get("error").asText()).startsWith("405::");
    }

    @Test
    void publishingToADataChannelIsNotAllowed() {
        String clientId = handshake();
        JsonNode m = post("[{\"channel\":\"/data/AccountChangeEvent\",\"clientId\":\"" + clientId + "\",\"data\":{},\"id\":\"6\"}]").get(0);
        assertThat(m.get("successful").asBoolean()).isFalse();
        assertThat(m.get("id").asText()).isEqualTo("6");
    }
}
