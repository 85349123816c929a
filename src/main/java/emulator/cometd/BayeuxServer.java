package emulator.cometd;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.admin.ApiCounters;
import emulator.admin.Faults;
import emulator.auth.Sessions;
import emulator.cdc.EventBus;
import emulator.cdc.StreamEvent;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Streaming API endpoint ({@code POST /cometd/{version}[/**]}): a Bayeux long-polling server
 * delivering the org's {@link EventBus} events (Change Data Capture, platform events) with
 * Salesforce's replay extension, meta-channel replies and error texts (WIRE.md §3).
 *
 * <p>Delivery order: the bus may hand batches to listeners out of replay-id order when several
 * threads publish at once, so events pass through a small sequencer that releases them strictly
 * in replay-id order. Subscribing reads the replay backlog and registers the subscription under
 * the same lock the sequencer dispatches under, so no event is lost, duplicated or reordered
 * between backlog and live delivery.
 */
public final class BayeuxServer implements AutoCloseable {
    static final String UNSUPPORTED_VERSION =
            "Unsupported API version. Only API versions '37.0' and later are supported";
    static final String SERVER_BUSY = "503::Server is too busy.  Please try your request again later.";
    static final String AUTH_INVALID = "401::Authentication invalid";
    static final String AUTH_REQUIRED = "401::Request requires authentication";
    static final String UNKNOWN_CLIENT = "403::Unknown client";
    static final String HANDSHAKE_DENIED = "403::Handshake denied";
    static final String COOKIE = "BAYEUX_BROWSER";

    /** A client whose undelivered messages exceed this is dropped (it re-handshakes and replays from its last id). */
    static final int MAX_QUEUED = 500_000;
    /** How long a replay-id gap in the bus's listener calls may last before it is filled from the bus itself. */
    private static final long GAP_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final EventBus bus;
    private final Sessions sessions;
    private final ApiCounters counters;
    private final Faults faults;
    private final Clock clock;

    private volatile Duration holdTimeout = Duration.ofSeconds(110);
    private volatile Duration clientExpiry = Duration.ofSeconds(40);
    private volatile int maxEventsPerConnect = 1000;
    private volatile boolean closed;

    private final Map<String, ClientState> clients = new ConcurrentHashMap<>();

    /** Guards the sequencer and the channel -> subscribers index. Lock order: dispatchLock, then a client's monitor. */
    private final Object dispatchLock = new Object();
    private final Map<String, Set<ClientState>> subscribers = new HashMap<>();
    private final TreeMap<Long, StreamEvent> outOfOrder = new TreeMap<>();
    private long nextReplayId;
    private long gapSince;

    private final ScheduledExecutorService sweeper;

    public BayeuxServer(EventBus bus, Sessions sessions, ApiCounters counters, Faults faults, Clock clock) {
        this.bus = bus;
        this.sessions = sessions;
        this.counters = counters;
        this.faults = faults;
        this.clock = clock;
        synchronized (dispatchLock) {
            bus.addListener(this::onPublished);
            nextReplayId = bus.lastReplayId() + 1;
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sf-emulator-cometd-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, 100, 100, TimeUnit.MILLISECONDS);
    }

    public void setHoldTimeout(Duration d) {
        holdTimeout = d;
    }

    public void setClientExpiry(Duration d) {
        clientExpiry = d;
    }

    public void setMaxEventsPerConnect(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxEventsPerConnect must be positive");
        }
        maxEventsPerConnect = n;
    }

    public int clientCount() {
        return clients.size();
    }

    /** Drops every Bayeux client; their held connects answer {@code 403::Unknown client}, so they re-handshake. */
    public void disconnectAll() {
        for (ClientState c : List.copyOf(clients.values())) {
            remove(c);
        }
    }

    /** Wakes every held connect (answered with what is queued) and forgets all clients. */
    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        for (ClientState c : clients.values()) {
            c.wake();
        }
        disconnectAll();
    }

    // ------------------------------------------------------------------ HTTP entry

    /** Handles POST /cometd/{version}[/anything]: the caller has already matched the path. */
    public Response handle(Request request, String version) {
        if (!"POST".equalsIgnoreCase(request.method())) {
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("successful", false);
            reply.put("error", "405::Method " + request.method() + " not allowed; the Streaming API accepts POST only");
            reply.put("advice", advice("none", null, null));
            return reply(405, List.of(reply)).header("Allow", "POST");
        }
        JsonNode body;
        String parseError = null;
        try {
            body = Json.parse(request.body());
        } catch (ApiException e) {
            body = null;
            parseError = e.getMessage();
        }
        List<JsonNode> messages = new ArrayList<>();
        if (body != null && body.isArray()) {
            body.forEach(messages::add);
        } else if (body != null) {
            messages.add(body);
        }
        if (!supportedVersion(version)) {
            List<Object> replies = new ArrayList<>();
            for (JsonNode m : messages) {
                Map<String, Object> r = failure(text(m, "channel"), m.get("id"), "400::" + UNSUPPORTED_VERSION, null);
                r.put("ext", sfdcFailure("400::" + UNSUPPORTED_VERSION));
                r.put("advice", advice("none", 0, null));
                replies.add(r);
            }
            if (replies.isEmpty()) {
                replies.add(failure(null, null, "400::" + UNSUPPORTED_VERSION, null));
            }
            return reply(400, replies);
        }
        if (parseError != null) {
            return reply(400, List.of(failure(null, null, "400::Unable to parse the request body: " + parseError, null)));
        }
        expireIdleClients();

        String token = null;
        boolean authHeader = false;
        String authorization = request.header("Authorization");
        if (authorization != null && !authorization.isBlank()) {
            authHeader = true;
            token = bearer(authorization);
        }
        boolean authenticated = token != null && sessions.validate(token) != null;

        Exchange ex = new Exchange(authHeader, authenticated);
        List<Object> replies = new ArrayList<>();
        for (JsonNode m : messages) {
            replies.addAll(dispatch(m, ex));
        }
        Response response = reply(200, replies);
        if (ex.handshook && request.cookie(COOKIE) == null) {
            response.header("Set-Cookie", COOKIE + "=" + randomId(26) + "; Path=/");
        }
        return response;
    }

    /** Per-request facts shared by the messages of one batch. */
    private static final class Exchange {
        final boolean authHeader;
        final boolean authenticated;
        boolean handshook;

        Exchange(boolean authHeader, boolean authenticated) {
            this.authHeader = authHeader;
            this.authenticated = authenticated;
        }
    }

    private List<Object> dispatch(JsonNode m, Exchange ex) {
        if (!m.isObject()) {
            return List.of(failure(null, null, "400::Invalid Bayeux message: expected a JSON object", null));
        }
        String channel = text(m, "channel");
        if (channel == null) {
            return List.of(failure(null, m.get("id"), "400::Bayeux message without a channel", null));
        }
        switch (channel) {
            case "/meta/handshake":
                return List.of(handshake(m, ex));
            case "/meta/connect":
                return connect(m, ex);
            case "/meta/subscribe":
                return List.of(subscribe(m, ex));
            case "/meta/unsubscribe":
                return List.of(unsubscribe(m, ex));
            case "/meta/disconnect":
                return List.of(disconnect(m));
            default:
                Map<String, Object> r = failure(channel, m.get("id"),
                        Channels.isMeta(channel) ? "400::Unknown meta channel {" + channel + "}" : "403::Publish not allowed",
                        text(m, "clientId"));
                return List.of(r);
        }
    }

    // ------------------------------------------------------------------ meta channels

    private Map<String, Object> handshake(JsonNode m, Exchange ex) {
        counters.count("cometd.handshake");
        JsonNode id = m.get("id");
        Optional<Faults.Kind> fault = faults.take("cometd.handshake");
        if (fault.isPresent()) {
            if (fault.get() == Faults.Kind.INVALID_SESSION_ID) {
                return handshakeDenied(id, AUTH_INVALID);
            }
            return faultReply("/meta/handshake", id, null, fault.get());
        }
        if (!ex.authenticated) {
            return handshakeDenied(id, ex.authHeader ? AUTH_INVALID : AUTH_REQUIRED);
        }
        JsonNode types = m.get("supportedConnectionTypes");
        if (types != null && types.isArray() && types.size() > 0) {
            boolean longPolling = false;
            for (JsonNode t : types) {
                longPolling |= "long-polling".equals(t.asText());
            }
            if (!longPolling) {
                Map<String, Object> r = failure("/meta/handshake", id, "400::Invalid connection type {" + join(types) + "}", null);
                r.put("ext", sfdcFailure("400::Invalid connection type {" + join(types) + "}"));
                r.put("advice", advice("none", null, null));
                return r;
            }
        }
        ClientState client = new ClientState(newClientId(), clock.instant());
        clients.put(client.id, client);
        ex.handshook = true;

        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("replay", true);
        ext.put("payload.format", true);
        r.put("ext", ext);
        r.put("minimumVersion", "1.0");
        r.put("clientId", client.id);
        r.put("supportedConnectionTypes", List.of("long-polling"));
        r.put("channel", "/meta/handshake");
        putId(r, id);
        r.put("version", "1.0");
        r.put("successful", true);
        r.put("reestablish", false);
        return r;
    }

    private Map<String, Object> handshakeDenied(JsonNode id, String reason) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ext", sfdcFailure(reason));
        r.put("advice", advice("none", null, null));
        r.put("channel", "/meta/handshake");
        putId(r, id);
        r.put("error", HANDSHAKE_DENIED);
        r.put("successful", false);
        return r;
    }

    private List<Object> connect(JsonNode m, Exchange ex) {
        counters.count("cometd.connect");
        JsonNode id = m.get("id");
        String clientId = text(m, "clientId");
        Optional<Faults.Kind> fault = faults.take("cometd.connect");
        if (fault.isPresent()) {
            if (fault.get() == Faults.Kind.INVALID_SESSION_ID) {
                return List.of(authInvalid("/meta/connect", id, clientId, null));
            }
            return List.of(faultReply("/meta/connect", id, clientId, fault.get()));
        }
        if (!ex.authenticated) {
            return List.of(authInvalid("/meta/connect", id, clientId, null));
        }
        ClientState client = clientId == null ? null : live(clientId);
        if (client == null) {
            return List.of(unknownClient("/meta/connect", id, clientId, null));
        }
        String type = text(m, "connectionType");
        if (type != null && !type.equals("long-polling")) {
            return List.of(failure("/meta/connect", id, "400::Invalid connection type {" + type + "}", clientId));
        }
        JsonNode requestedTimeout = m.path("advice").path("timeout");
        boolean immediate = requestedTimeout.isNumber() && requestedTimeout.asLong() == 0;

        ClientState.Hold hold = client.beginHold();
        try {
            if (!immediate && !closed) {
                client.await(hold, holdTimeout.toNanos(), () -> closed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.endHold(hold);
        }
        if (client.isRemoved() && !closed) {
            return List.of(unknownClient("/meta/connect", id, clientId, null));
        }
        List<Object> out = new ArrayList<>();
        if (!hold.superseded) {
            for (ClientState.Delivery d : client.drain(maxEventsPerConnect)) {
                Map<String, Object> msg = new LinkedHashMap<>();
                msg.put("data", d.data());
                msg.put("channel", d.channel());
                out.add(msg);
            }
        }
        client.touch(clock.instant());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clientId", client.id);
        r.put("advice", advice("retry", 0, holdTimeout.toMillis()));
        r.put("channel", "/meta/connect");
        putId(r, id);
        r.put("successful", true);
        out.add(r);
        return out;
    }

    private Map<String, Object> subscribe(JsonNode m, Exchange ex) {
        counters.count("cometd.subscribe");
        JsonNode id = m.get("id");
        String clientId = text(m, "clientId");
        JsonNode subscriptionNode = m.get("subscription");
        String subscription = subscriptionNode == null || subscriptionNode.isNull() ? null : subscriptionNode.asText();
        Optional<Faults.Kind> fault = faults.take("cometd.subscribe");
        if (fault.isPresent()) {
            if (fault.get() == Faults.Kind.INVALID_SESSION_ID) {
                return authInvalid("/meta/subscribe", id, clientId, subscription);
            }
            Map<String, Object> r = faultReply("/meta/subscribe", id, clientId, fault.get());
            r.put("subscription", subscription);
            return r;
        }
        if (!ex.authenticated) {
            return authInvalid("/meta/subscribe", id, clientId, subscription);
        }
        ClientState client = clientId == null ? null : live(clientId);
        if (client == null) {
            return unknownClient("/meta/subscribe", id, clientId, subscription);
        }
        client.touch(clock.instant());
        if (subscription == null || !subscription.startsWith("/")) {
            return subscribeFailure(id, client.id, subscription, "400::Channel subscriptions must start with a leading '/'");
        }
        if (!Channels.exists(subscription)) {
            return subscribeFailure(id, client.id, subscription,
                    "400::The channel you requested to subscribe to doesn't exist {" + subscription + "}");
        }
        // Replay position: ext.replay is a channel -> replayId map; no map means new events only.
        long replayId = -1;
        JsonNode replayMap = m.path("ext").path("replay");
        if (replayMap.isObject()) {
            JsonNode value = replayMap.get(subscription);
            if (value == null) {
                return subscribeFailure(id, client.id, subscription,
                        "400::The replayId for channel {" + subscription + "} wasn't found using the provided replay ID map {"
                                + renderMap(replayMap) + "}. Ensure that the channel name you provided in the replay map is valid"
                                + " and matches the channel name used for subscribing.");
            }
            Long parsed = replayIdOf(value);
            if (parsed == null || bus.check(parsed) == EventBus.ReplayCheck.UNKNOWN) {
                return subscribeFailure(id, client.id, subscription, invalidReplay(value.isTextual() ? value.asText() : value.toString()));
            }
            replayId = parsed;
        }
        synchronized (dispatchLock) {
            if (client.isRemoved()) {
                return unknownClient("/meta/subscribe", id, clientId, subscription);
            }
            if (!client.subscriptions.containsKey(subscription)) {
                // Live events go to this subscription only after its replay position; -1 means after
                // everything published so far, even if the sequencer has not dispatched all of it yet.
                client.subscriptions.put(subscription, replayId == -1 ? bus.lastReplayId() : replayId);
                List<ClientState.Delivery> backlog = new ArrayList<>();
                if (replayId != -1) {
                    for (StreamEvent e : bus.after(subscription, replayId)) {
                        // Events at or after nextReplayId have not been dispatched yet: the sequencer delivers them.
                        if (e.replayId() < nextReplayId) {
                            backlog.add(new ClientState.Delivery(subscription, dataOf(e)));
                        }
                    }
                }
                client.enqueueAll(backlog);
                subscribers.computeIfAbsent(subscription, k -> new LinkedHashSet<>()).add(client);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clientId", client.id);
        r.put("channel", "/meta/subscribe");
        putId(r, id);
        r.put("subscription", subscription);
        r.put("successful", true);
        return r;
    }

    private Map<String, Object> unsubscribe(JsonNode m, Exchange ex) {
        counters.count("cometd.unsubscribe");
        JsonNode id = m.get("id");
        String clientId = text(m, "clientId");
        String subscription = text(m, "subscription");
        if (!ex.authenticated) {
            return authInvalid("/meta/unsubscribe", id, clientId, subscription);
        }
        ClientState client = clientId == null ? null : live(clientId);
        if (client == null) {
            return unknownClient("/meta/unsubscribe", id, clientId, subscription);
        }
        client.touch(clock.instant());
        if (subscription != null) {
            synchronized (dispatchLock) {
                if (client.subscriptions.remove(subscription) != null) {
                    Set<ClientState> set = subscribers.get(subscription);
                    if (set != null) {
                        set.remove(client);
                        if (set.isEmpty()) {
                            subscribers.remove(subscription);
                        }
                    }
                    client.dropQueued(subscription);
                }
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clientId", client.id);
        r.put("channel", "/meta/unsubscribe");
        putId(r, id);
        r.put("subscription", subscription);
        r.put("successful", true);
        return r;
    }

    private Map<String, Object> disconnect(JsonNode m) {
        counters.count("cometd.disconnect");
        String clientId = text(m, "clientId");
        ClientState client = clientId == null ? null : clients.get(clientId);
        if (client != null) {
            remove(client);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        if (clientId != null) {
            r.put("clientId", clientId);
        }
        r.put("channel", "/meta/disconnect");
        putId(r, m.get("id"));
        r.put("successful", true);
        return r;
    }

    // ------------------------------------------------------------------ delivery

    /** Bus listener: queue the batch in replay-id order and dispatch whatever is contiguous. */
    private void onPublished(List<StreamEvent> events) {
        if (closed) {
            return;
        }
        synchronized (dispatchLock) {
            for (StreamEvent e : events) {
                if (e.replayId() >= nextReplayId) {
                    outOfOrder.put(e.replayId(), e);
                }
            }
            drainInOrder();
        }
    }

    /** Dispatches the contiguous run starting at nextReplayId; notes when a gap blocks the rest. Holds dispatchLock. */
    private void drainInOrder() {
        List<ClientState> overflowing = null;
        while (!outOfOrder.isEmpty() && outOfOrder.firstKey() == nextReplayId) {
            StreamEvent e = outOfOrder.pollFirstEntry().getValue();
            nextReplayId++;
            List<ClientState> over = deliver(e);
            if (over != null) {
                overflowing = overflowing == null ? new ArrayList<>() : overflowing;
                overflowing.addAll(over);
            }
        }
        gapSince = outOfOrder.isEmpty() ? 0 : (gapSince == 0 ? System.nanoTime() : gapSince);
        if (overflowing != null) {
            for (ClientState c : overflowing) {
                removeLocked(c);
            }
        }
    }

    /**
     * A gap that outlives the grace period means the bus's listener call for those ids will not
     * come (an earlier listener threw) or comes very late: take the missing events from the bus.
     */
    private void fillGap() {
        synchronized (dispatchLock) {
            if (outOfOrder.isEmpty() || gapSince == 0 || System.nanoTime() - gapSince < GAP_GRACE_NANOS) {
                return;
            }
            long first = outOfOrder.firstKey();
            for (StreamEvent e : bus.retained()) {
                if (e.replayId() >= nextReplayId && e.replayId() < first) {
                    outOfOrder.put(e.replayId(), e);
                }
            }
            if (outOfOrder.firstKey() != nextReplayId) {
                nextReplayId = outOfOrder.firstKey(); // purged meanwhile: nothing left to wait for
            }
            drainInOrder();
        }
    }

    /** Enqueues one event for every client subscribed to one of its channels; returns clients over the queue cap. */
    private List<ClientState> deliver(StreamEvent e) {
        Map<String, Object> data = null;
        List<ClientState> over = null;
        for (String channel : e.channels()) {
            Set<ClientState> subs = subscribers.get(channel);
            if (subs == null) {
                continue;
            }
            if (data == null) {
                data = dataOf(e);
            }
            for (ClientState c : subs) {
                Long after = c.subscriptions.get(channel);
                if (after == null || e.replayId() <= after) {
                    continue;
                }
                c.enqueue(new ClientState.Delivery(channel, data));
                if (c.queued() > MAX_QUEUED) {
                    over = over == null ? new ArrayList<>() : over;
                    over.add(c);
                }
            }
        }
        return over;
    }

    private static Map<String, Object> dataOf(StreamEvent e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("schema", e.schema());
        data.put("payload", e.payload());
        data.put("event", Map.of("replayId", e.replayId()));
        return data;
    }

    // ------------------------------------------------------------------ client lifecycle

    /** The client if known and not expired (an expired one is removed on the spot). */
    private ClientState live(String clientId) {
        ClientState c = clients.get(clientId);
        if (c == null) {
            return null;
        }
        if (c.idleSince(clock.instant().minus(clientExpiry))) {
            remove(c);
            return null;
        }
        return c;
    }

    private void expireIdleClients() {
        if (clients.isEmpty()) {
            return;
        }
        Instant cutoff = clock.instant().minus(clientExpiry);
        for (ClientState c : clients.values()) {
            if (c.idleSince(cutoff)) {
                remove(c);
            }
        }
    }

    private void sweepQuietly() {
        try {
            expireIdleClients();
            fillGap();
        } catch (RuntimeException e) {
            // The sweeper must survive anything; the next run retries.
        }
    }

    private void remove(ClientState c) {
        synchronized (dispatchLock) {
            removeLocked(c);
        }
    }

    private void removeLocked(ClientState c) {
        clients.remove(c.id, c);
        for (String ch : c.subscriptions.keySet()) {
            Set<ClientState> set = subscribers.get(ch);
            if (set != null) {
                set.remove(c);
                if (set.isEmpty()) {
                    subscribers.remove(ch);
                }
            }
        }
        c.subscriptions.clear();
        c.markRemoved();
    }

    // ------------------------------------------------------------------ replies

    private static Response reply(int status, List<Object> messages) {
        return Response.json(status, messages);
    }

    private static Map<String, Object> failure(String channel, JsonNode id, String error, String clientId) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (clientId != null) {
            r.put("clientId", clientId);
        }
        if (channel != null) {
            r.put("channel", channel);
        }
        putId(r, id);
        r.put("error", error);
        r.put("successful", false);
        return r;
    }

    private static Map<String, Object> subscribeFailure(JsonNode id, String clientId, String subscription, String error) {
        Map<String, Object> r = failure("/meta/subscribe", id, error, clientId);
        r.put("subscription", subscription);
        return r;
    }

    private static Map<String, Object> authInvalid(String channel, JsonNode id, String clientId, String subscription) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (clientId != null) {
            r.put("clientId", clientId);
        }
        r.put("advice", advice("none", 0, null));
        r.put("channel", channel);
        putId(r, id);
        if (subscription != null) {
            r.put("subscription", subscription);
        }
        r.put("error", AUTH_INVALID);
        r.put("successful", false);
        return r;
    }

    private static Map<String, Object> unknownClient(String channel, JsonNode id, String clientId, String subscription) {
        Map<String, Object> r = failure(channel, id, UNKNOWN_CLIENT, clientId);
        if (subscription != null) {
            r.put("subscription", subscription);
        }
        r.put("advice", advice("handshake", 0, null));
        return r;
    }

    private static Map<String, Object> faultReply(String channel, JsonNode id, String clientId, Faults.Kind kind) {
        String error = kind == Faults.Kind.SERVER_UNAVAILABLE ? SERVER_BUSY : kind.status + "::" + kind.message;
        Map<String, Object> r = failure(channel, id, error, clientId);
        r.put("ext", sfdcFailure(error));
        r.put("advice", advice(kind == Faults.Kind.SERVER_UNAVAILABLE ? "retry" : "none", 0, null));
        return r;
    }

    static String invalidReplay(String replayId) {
        return "400::The replayId {" + replayId + "} you provided was invalid. Please provide a valid ID, -2 to replay all events,"
                + " or -1 to replay only new events.";
    }

    private static Map<String, Object> sfdcFailure(String reason) {
        return Map.of("sfdc", Map.of("failureReason", reason));
    }

    private static Map<String, Object> advice(String reconnect, Integer interval, Long timeout) {
        Map<String, Object> a = new LinkedHashMap<>();
        if (interval != null) {
            a.put("interval", interval);
        }
        if (timeout != null) {
            a.put("timeout", timeout);
        }
        a.put("reconnect", reconnect);
        return a;
    }

    /** Echoes the request's id as sent (string or number); omitted when the request had none. */
    private static void putId(Map<String, Object> r, JsonNode id) {
        if (id != null && !id.isNull()) {
            r.put("id", id.isTextual() ? id.asText() : id);
        }
    }

    // ------------------------------------------------------------------ parsing helpers

    static boolean supportedVersion(String version) {
        if (version == null) {
            return false;
        }
        try {
            return Double.parseDouble(version.startsWith("v") ? version.substring(1) : version) >= 37.0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String bearer(String authorization) {
        String a = authorization.trim();
        int space = a.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = a.substring(0, space).toLowerCase(Locale.ROOT);
        if (!scheme.equals("oauth") && !scheme.equals("bearer")) {
            return null;
        }
        String token = a.substring(space + 1).trim();
        return token.isEmpty() ? null : token;
    }

    /** A replay id given as a JSON integer or a numeric string; null when it is neither. */
    private static Long replayIdOf(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isNumber()) {
            double d = value.asDouble();
            return d == Math.rint(d) && !Double.isInfinite(d) ? (long) d : null;
        }
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String renderMap(JsonNode map) {
        StringBuilder s = new StringBuilder();
        map.fields().forEachRemaining(e -> {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(e.getKey()).append('=').append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        });
        return "{" + s + "}";
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(n -> parts.add(n.asText()));
        return String.join(", ", parts);
    }

    private static String text(JsonNode m, String field) {
        JsonNode n = m.get(field);
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    private static String newClientId() {
        return randomId(26 + RANDOM.nextInt(3));
    }

    private static String randomId(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(LOWER_ALNUM.charAt(RANDOM.nextInt(LOWER_ALNUM.length())));
        }
        return s.toString();
    }
}
