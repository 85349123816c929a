package sync.staging;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;
import sync.testing.S3Resource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The application's staging area is the one sync.staging.uri names, reached through the application's Camel context. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(EmulatorResource.class)
class StagingAreaInjectionTest {

    @Inject
    StagingArea staging;

    @Test
    void injectedAreaStagesIntoTheConfiguredBucket() {
        String object = "T" + UUID.randomUUID().toString().replace("-", "");
        String key = StagingKeys.changes(object, Instant.now(), 1, 2);

        staging.put(key, "{}\n".getBytes(StandardCharsets.UTF_8));

        assertThat(staging.describe()).contains(S3Resource.BUCKET);
        assertThat(staging.list(StagingKeys.changesPrefix(object))).containsExactly(key);
        assertThat(staging.get(key)).asString(StandardCharsets.UTF_8).isEqualTo("{}\n");
    }
}
