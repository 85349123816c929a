package routes;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.flow.SyncEngine;
import sync.staging.NdJson;
import sync.staging.StagedEvent;
import sync.staging.StagingArea;
import sync.staging.StagingKeys;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Salesforce -> PostgreSQL with the staging area in a local directory (the embedded default)
 * rather than S3: the same lifecycle lands, the raw changelog is in the directory as NDJSON
 * batches in replay order, and inbound files dropped into the directory are applied.
 */
@QuarkusTest
@TestProfile(SalesforceToPostgresLocalStagingProfile.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(EmulatorResource.class)
class SalesforceToPostgresLocalStagingTest {
    @Inject
    DataSource db;
    @Inject
    SyncEngine engine;
    @Inject
    StagingArea staging;
    @ConfigProperty(name = "sync.staging.uri")
    String stagingUri;

    SyncTestSupport e2e;

    @BeforeEach
    void connect() {
        e2e = SyncTestSupport.connect(db, engine, 2);
    }

    Path directory() {
        assertThat(stagingUri).startsWith("file:target/test-staging-");
        return Path.of(stagingUri.substring("file:".length())).toAbsolutePath();
    }

    @Test
    void changesLandAndTheChangelogIsStagedAsNdjsonInTheDirectory() throws IOException {
        assertThat(staging.describe()).isEqualTo("directory " + directory());
        String id = e2e.accountLifecycleLands();

        List<String> keys;
        try (Stream<Path> files = Files.walk(directory().resolve("changes/Account"))) {
            keys = files.filter(Files::isRegularFile).map(f -> directory().relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        }
        assertThat(keys).isNotEmpty();
        List<StagedEvent> events = new ArrayList<>();
        for (String key : keys) {
            StagingKeys.ChangeBatch batch = StagingKeys.parse(key).orElseThrow(() -> new AssertionError("not a batch key: " + key));
            List<StagedEvent> batchEvents = NdJson.decode(key, Files.readAllBytes(directory().resolve(key)));
            assertThat(batchEvents).as(key).isNotEmpty();
            assertThat(batchEvents.get(0).replayId()).as(key).isEqualTo(batch.firstReplayId());
            assertThat(batchEvents.get(batchEvents.size() - 1).replayId()).as(key).isEqualTo(batch.lastReplayId());
            events.addAll(batchEvents);
        }
        // Keys in name order are batches in replay order, and every event is staged once (a
        // second delivery by camel-salesforce is dropped before staging).
        assertThat(events).extracting(StagedEvent::replayId).isSortedAccordingTo(Comparator.naturalOrder())
                .doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.channel()).isEqualTo("/data/AccountChangeEvent");
            assertThat(e.mapping()).isEqualTo("account");
        });

        // The raw events as Salesforce sent them, header and all.
        Map<Object, StagedEvent> ofRecord = new LinkedHashMap<>();
        events.stream().filter(e -> e.header().get("recordIds") instanceof List<?> ids && ids.contains(id))
                .forEach(e -> ofRecord.putIfAbsent(e.header().get("changeType"), e));
        assertThat(ofRecord.keySet()).containsExactly("CREATE", "UPDATE", "DELETE", "UNDELETE");
        assertThat(ofRecord.get("CREATE").payload()).containsEntry("Name", "Acme")
                .containsEntry("Description", "Große Straße — ünïcödé ✓");
        assertThat(ofRecord.get("UPDATE").payload()).containsEntry("BillingAddress", Map.of("City", "Paris"))
                .containsEntry("Industry", null);
    }

    @Test
    void inboundFileDroppedIntoTheDirectoryIsAppliedAndMovedToDone() throws IOException {
        String id = SyncTestSupport.newAccountId();
        String name = Long.toString(System.nanoTime(), 36) + ".jsonl";
        Path inbound = Files.createDirectories(directory().resolve("inbound/account"));
        // Another tool writes under a hidden name and renames, so a half-written file is never read.
        Path partial = inbound.resolve("." + name + ".part");
        Files.writeString(partial, "{\"Id\":\"" + id + "\",\"Name\":\"Dropped locally\",\"LastModifiedDate\":\"2026-03-01T10:00:00Z\"}\n");
        Files.move(partial, inbound.resolve(name), StandardCopyOption.ATOMIC_MOVE);

        e2e.awaitRow("public.sf_account", id, r -> "Dropped locally".equals(r.get("name")));
        Path done = directory().resolve("inbound-done/account/" + name);
        await().atMost(SyncTestSupport.LANDS_WITHIN).until(() -> Files.exists(done));
        assertThat(inbound.resolve(name)).doesNotExist();
    }
}
