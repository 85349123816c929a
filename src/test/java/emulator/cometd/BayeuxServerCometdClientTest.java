package emulator.cometd;

import static org.assertj.core.api.Assertions.assertThat;

import emulator.admin.ApiCounters;
import emulator.admin.Faults;
import emulator.auth.Sessions;
import emulator.cdc.EventBus;
import emulator.http.HttpHost;
import emulator.http.Response;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cometd.bayeux.Channel;
import org.cometd.bayeux.Message;
import org.cometd.bayeux.client.ClientSession;
import org.cometd.client.BayeuxClient;
import org.cometd.client.http.jetty.JettyHttpClientTransport;
import org.cometd.client.transport.ClientTransport;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real CometD Java client (the one Camel's salesforce component uses) against the server over HTTP. */
class BayeuxServerCometdClientTest {
    static final String ACCOUNT = "/data/AccountChangeEvent";

    EventBus bus;
    Sessions sessions;
    BayeuxServer server;
    HttpHost host;
    HttpClient http;
    String token;

    @BeforeEach
    void setUp() throws Exception {
        Clock clock = Clock.systemUTC();
        bus = new EventBus(clock, Duration.ofHours(72), 1);
        sessions = new Sessions(clock, "00D5f000000AbCd", Duration.ofHours(2));
        server = new BayeuxServer(bus, sessions, new ApiCounters(), new Faults(), clock);
        server.setHoldTimeout(Duration.ofSeconds(2));
        token = sessions.issueAccess("0055f000005mc66AAA", "client").token();
        host = new HttpHost("127.0.0.1", 0, request -> {
            String path = request.path();
            if (path.startsWith("/cometd/")) {
                String rest = path.substring("/cometd/".length());
                int slash = rest.indexOf('/');
                return server.handle(request, slash < 0 ? rest : rest.substring(0, slash));
            }
            return Response.noContent();
        });
        http = new HttpClient();
        http.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        http.stop();
        host.close();
    }

    BayeuxClient client(String accessToken, long replayFrom) {
        Map<String, Object> options = new HashMap<>();
        options.put(ClientTransport.MAX_NETWORK_DELAY_OPTION, 120_000);
        JettyHttpClientTransport transport = new JettyHttpClientTransport(options, http) {
            @Override
            protected void customize(org.eclipse.jetty.client.Request request) {
                super.customize(request);
                request.headers(h -> h.put("Authorization", "OAuth " + accessToken));
            }
        };
        BayeuxClient client = new BayeuxClient("http://127.0.0.1:" + host.port() + "/cometd/61.0", transport);
        // What Camel's ReplayExtension does: the replay map on every subscribe, once the handshake said replay:true.
        client.addExtension(new ClientSession.Extension() {
            private volatile boolean replay;

            @Override
            public boolean rcvMeta(ClientSession session, Message.Mutable message) {
                if (Channel.META_HANDSHAKE.equals(message.getChannel())) {
                    Map<String, Object> ext = message.getExt();
                    replay = ext != null && Boolean.TRUE.equals(ext.get("replay"));
                }
                return true;
            }

            @Override
            public boolean sendMeta(ClientSession session, Message.Mutable message) {
                if (Channel.META_SUBSCRIBE.equals(message.getChannel()) && replay) {
                    Map<String, Object> map = new LinkedHashMap<>();
                    map.put((String) message.get(Message.SUBSCRIPTION_FIELD), replayFrom);
                    message.getExt(true).put("replay", map);
                }
                return true;
            }
        });
        return client;
    }

    static void publish(EventBus bus, String name) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("ChangeEventHeader", Map.of("entityName", "Account", "changeType", "CREATE", "recordIds", List.of("001xx")));
        payload.put("Name", name);
        bus.publish(List.of(new EventBus.PendingEvent(Set.of(ACCOUNT, "/data/ChangeEvents"), "IeRuaY6cbI_HsV8Rv1Mc5g", payload)));
    }

    @Test
    void handshakeSubscribeAndReceiveReplayedAndLiveEvents() throws Exception {
        publish(bus, "before");
        BayeuxClient client = client(token, -2);
        client.handshake();
        assertThat(client.waitFor(10_000, BayeuxClient.State.CONNECTED)).isTrue();

        BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        CompletableFuture<Message> subscribed = new CompletableFuture<>();
        client.getChannel(ACCOUNT).subscribe((channel, message) -> received.add(message), subscribed::complete);
        Message reply = subscribed.get(10, TimeUnit.SECONDS);
        assertThat(reply.isSuccessful()).as(String.valueOf(reply)).isTrue();

        Message first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first).as("replayed event").isNotNull();
        publish(bus, "after");
        Message second = received.poll(10, TimeUnit.SECONDS);
        assertThat(second).as("live event").isNotNull();

        for (Message m : List.of(first, second)) {
            assertThat(m.getChannel()).isEqualTo(ACCOUNT);
            Map<String, Object> data = m.getDataAsMap();
            assertThat(data.get("schema")).isEqualTo("IeRuaY6cbI_HsV8Rv1Mc5g");
            @SuppressWarnings("unchecked")
            Map<String, Object> event = (Map<String, Object>) data.get("event");
            assertThat(event.get("replayId")).isInstanceOf(Long.class); // Camel casts it to Long
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> firstPayload = (Map<String, Object>) first.getDataAsMap().get("payload");
        @SuppressWarnings("unchecked")
        Map<String, Object> secondPayload = (Map<String, Object>) second.getDataAsMap().get("payload");
        assertThat(firstPayload.get("Name")).isEqualTo("before");
        assertThat(secondPayload.get("Name")).isEqualTo("after");
        assertThat(received).isEmpty();

        assertThat(client.disconnect(10_000)).isTrue();
        assertThat(server.clientCount()).isZero();
    }

    @Test
    void aBadTokenFailsTheHandshakeWithTheSalesforceReason() throws Exception {
        BayeuxClient client = client("00Dbogus!token", -1);
        CompletableFuture<Message> handshake = new CompletableFuture<>();
        client.handshake(handshake::complete);
        Message reply = handshake.get(10, TimeUnit.SECONDS);
        assertThat(reply.isSuccessful()).isFalse();
        assertThat(reply.get("error")).isEqualTo("403::Handshake denied");
        @SuppressWarnings("unchecked")
        Map<String, Object> sfdc = (Map<String, Object>) reply.getExt().get("sfdc");
        assertThat(sfdc.get("failureReason")).isEqualTo("401::Authentication invalid");
        assertThat(client.waitFor(10_000, BayeuxClient.State.DISCONNECTED)).isTrue();
    }

    @Test
    void anInvalidReplayIdFailsTheSubscription() throws Exception {
        publish(bus, "one");
        BayeuxClient client = client(token, 999);
        client.handshake();
        assertThat(client.waitFor(10_000, BayeuxClient.State.CONNECTED)).isTrue();
        CompletableFuture<Message> subscribed = new CompletableFuture<>();
        client.getChannel(ACCOUNT).subscribe((channel, message) -> { }, subscribed::complete);
        Message reply = subscribed.get(10, TimeUnit.SECONDS);
        assertThat(reply.isSuccessful()).isFalse();
        assertThat((String) reply.get("error")).matches("400::The replayId \\{.*} you provided was invalid.*");
        assertThat(reply.get(Message.SUBSCRIPTION_FIELD)).isEqualTo(ACCOUNT);
        client.disconnect(10_000);
    }
}
