package emulator.camel;

import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import emulator.camel.CdcEvents.Event;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.api.dto.CreateSObjectResult;
import org.apache.camel.component.salesforce.api.dto.GlobalObjects;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static emulator.camel.CamelEmulatorSupport.admin;
import static emulator.camel.CamelEmulatorSupport.component;
import static emulator.camel.CamelEmulatorSupport.context;
import static emulator.camel.CamelEmulatorSupport.reset;
import static emulator.camel.CamelEmulatorSupport.stopQuietly;
import static emulator.camel.CamelEmulatorSupport.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Access-token expiry: camel re-logs in transparently, for REST calls (401 -> login -> replay) and for the CometD consumer. */
class CamelSessionExpiryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static SalesforceEmulator emulator;
    private DefaultCamelContext ctx;
    private ProducerTemplate template;

    @BeforeAll
    static void startEmulator() {
        emulator = SalesforceEmulator.start(EmulatorOptions.defaults());
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void setUp() {
        reset(emulator);
        ctx = context(component(emulator, AuthenticationType.USERNAME_PASSWORD));
    }

    @AfterEach
    void tearDown() {
        stopQuietly(ctx);
        admin(emulator, "/emulator/settings", "{\"cometdHoldMillis\":110000}");
        // leave camel's JVM-wide replay map empty for whatever runs next in this JVM
        CdcEvents.clearCamelReplayMap();
    }

    @Test
    void restCallAfterExpiryReLogsInOnceAndSucceeds() {
        ctx.start();
        template = ctx.createProducerTemplate();
        template.requestBody("salesforce:getGlobalObjects", null, GlobalObjects.class);
        assertThat(emulator.counters().get("oauth.token")).isEqualTo(1);

        assertThat(admin(emulator, "/emulator/sessions/expire", "").path("expired").asInt()).isGreaterThanOrEqualTo(1);

        GlobalObjects again = template.requestBody("salesforce:getGlobalObjects", null, GlobalObjects.class);
        assertThat(again.getSobjects()).isNotEmpty();
        assertThat(emulator.counters().get("oauth.token")).as("exactly one re-login").isEqualTo(2);
        // (camel's SalesforceSecurityHandler re-logs in inside the HTTP conversation, without revoking the dead token)
        // the replayed call reached the endpoint (the rejected attempt may or may not be counted as well)
        assertThat(emulator.counters().get("rest.describeGlobal")).isBetween(2L, 3L);

        // writes are replayed too, exactly once
        assertThat(admin(emulator, "/emulator/sessions/expire", "").path("expired").asInt()).isEqualTo(1);
        String id = template.requestBody("salesforce:createSObject?sObjectName=Account", "{\"Name\":\"After expiry\"}",
                CreateSObjectResult.class).getId();
        assertThat(stored(emulator, id)).containsEntry("Name", "After expiry");
        assertThat(emulator.store().count(emulator.schema().object("Account"))).isEqualTo(1);
        assertThat(emulator.counters().get("oauth.token")).isEqualTo(3);
    }

    @Test
    void streamingConsumerReHandshakesAfterExpiryAndKeepsDelivering() throws Exception {
        // Connects come back every 500 ms, so the expired token is noticed on the next /meta/connect.
        admin(emulator, "/emulator/settings", "{\"cometdHoldMillis\":500}");
        CdcEvents.clearCamelReplayMap();
        CdcEvents cdc = new CdcEvents();
        cdc.route(ctx, "cdc", "salesforce:subscribe:data/AccountChangeEvent");
        ctx.start();
        template = ctx.createProducerTemplate();
        cdc.awaitLive(emulator);
        String before = template.requestBody("salesforce:createSObject?sObjectName=Account", "{\"Name\":\"Before expiry\"}",
                CreateSObjectResult.class).getId();
        await().atMost(WAIT).until(() -> !cdc.forRecord(before).isEmpty());
        long tokens = emulator.counters().get("oauth.token");
        long handshakes = emulator.counters().get("cometd.handshake");
        long subscribes = emulator.counters().get("cometd.subscribe");
        assertThat(handshakes).isEqualTo(1);

        admin(emulator, "/emulator/sessions/expire", "");

        // 401::Authentication invalid on /meta/connect -> camel logs in again, re-handshakes and re-subscribes
        await().atMost(WAIT).until(() -> emulator.counters().get("cometd.handshake") > handshakes
                && emulator.counters().get("cometd.subscribe") > subscribes);
        assertThat(emulator.counters().get("oauth.token")).isGreaterThan(tokens);

        String after = template.requestBody("salesforce:createSObject?sObjectName=Account", "{\"Name\":\"After expiry\"}",
                CreateSObjectResult.class).getId();
        await().atMost(WAIT).until(() -> !cdc.forRecord(after).isEmpty());
        List<Event> afterEvents = cdc.forRecord(after);
        assertThat(afterEvents).hasSize(1);
        assertThat(afterEvents.get(0).changeType()).isEqualTo("CREATE");
        assertThat(afterEvents.get(0).body()).containsEntry("Name", "After expiry");
        // the resubscription replays from camel's last seen replayId: nothing is delivered twice
        assertThat(cdc.events).extracting(Event::replayId).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void eventsPublishedWhileTheTokenIsDeadAreNotLost() throws Exception {
        admin(emulator, "/emulator/settings", "{\"cometdHoldMillis\":500}");
        CdcEvents.clearCamelReplayMap();
        CdcEvents cdc = new CdcEvents();
        cdc.route(ctx, "cdc", "salesforce:subscribe:data/AccountChangeEvent");
        ctx.start();
        cdc.awaitLive(emulator);
        long handshakes = emulator.counters().get("cometd.handshake");

        admin(emulator, "/emulator/sessions/expire", "");
        // written straight into the org while camel's session is dead
        String during = admin(emulator, "/emulator/seed", "{\"Account\":[{\"Name\":\"During expiry\"}]}")
                .path("ids").path("Account").get(0).asText();

        await().atMost(WAIT).until(() -> !cdc.forRecord(during).isEmpty());
        await().atMost(WAIT).until(() -> emulator.counters().get("cometd.handshake") > handshakes);
        assertThat(cdc.forRecord(during)).hasSize(1);
        assertThat(cdc.events).extracting(Event::replayId).doesNotHaveDuplicates();
    }

    @Test
    void handshakeDeniedWithAuthenticationInvalidTriggersLoginAndRetry() throws Exception {
        admin(emulator, "/emulator/faults", "{\"endpoint\":\"cometd.handshake\",\"fault\":\"INVALID_SESSION_ID\",\"times\":1}");
        CdcEvents.clearCamelReplayMap();
        CdcEvents cdc = new CdcEvents();
        cdc.route(ctx, "cdc", "salesforce:subscribe:data/AccountChangeEvent");
        ctx.start(); // blocks until the (second) handshake has connected
        cdc.awaitLive(emulator);
        assertThat(emulator.counters().get("cometd.handshake")).isEqualTo(2);
        assertThat(emulator.counters().get("oauth.token")).as("login at start + login after 403/401 handshake").isEqualTo(2);
    }
}
