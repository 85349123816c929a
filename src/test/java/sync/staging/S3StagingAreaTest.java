package sync.staging;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.testing.S3Resource;

import org.awaitility.Awaitility;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is particular to the S3 staging area: how S3 failures surface. */
class S3StagingAreaTest {

    private DefaultCamelContext camel;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void anUnreachableServerIsUnavailableOnEveryCall() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> keys = new HashMap<>(S3Resource.settings());
        keys.put("sync.staging.s3.endpoint", "http://127.0.0.1:" + closedPort);

        try (StagingArea area = StagingAreaProducer.create(new StagingSettings(keys), camel)) {
            // The first call also opens the endpoints; a later one must not fail differently.
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> area.put("changes/x.ndjson", new byte[]{1}))
                        .isInstanceOf(StagingUnavailableException.class)
                        .hasMessageContaining("sluice-staging");
            }
            assertThatThrownBy(() -> area.get("changes/x.ndjson")).isInstanceOf(StagingUnavailableException.class);
            assertThatThrownBy(() -> area.list("changes/")).isInstanceOf(StagingUnavailableException.class);
            assertThatThrownBy(() -> area.delete("changes/x.ndjson")).isInstanceOf(StagingUnavailableException.class);
        }
    }

    @Test
    void aServerThatComesBackIsUsedAgain() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> keys = new HashMap<>(S3Resource.settings());
        keys.put("sync.staging.s3.endpoint", "http://127.0.0.1:" + port);
        BlobStore store = new TransientNio2BlobStore();
        store.createContainer(S3Resource.BUCKET);
        S3Proxy late = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, keys.get("sync.staging.s3.access-key"),
                        keys.get("sync.staging.s3.secret-key"))
                .build();
        try (StagingArea area = StagingAreaProducer.create(new StagingSettings(keys), camel)) {
            assertThatThrownBy(() -> area.put("changes/x.ndjson", new byte[]{1})).isInstanceOf(StagingUnavailableException.class);

            late.start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(late.getState()));

            area.put("changes/x.ndjson", new byte[]{1});
            assertThat(area.get("changes/x.ndjson")).containsExactly(1);
        } finally {
            late.stop();
        }
    }

    @Test
    void wrongCredentialsArePermanentAndNeverShowTheSecret() {
        Map<String, String> keys = new HashMap<>(S3Resource.settings());
        keys.put("sync.staging.s3.secret-key", "not-the-secret-4711");

        try (StagingArea area = StagingAreaProducer.create(new StagingSettings(keys), camel)) {
            assertThatThrownBy(() -> area.put("changes/x.ndjson", new byte[]{1}))
                    .isInstanceOf(StagingException.class)
                    .isNotInstanceOf(StagingUnavailableException.class)
                    .hasMessageContaining("403")
                    .hasMessageNotContaining("not-the-secret-4711");
            assertThat(area.describe()).doesNotContain("not-the-secret-4711").doesNotContain(keys.get("sync.staging.s3.access-key"));
        }
    }

    @Test
    void aMissingBucketIsPermanent() {
        Map<String, String> keys = new HashMap<>(S3Resource.settings());
        keys.put("sync.staging.uri", "aws2-s3:no-such-bucket");

        try (StagingArea area = StagingAreaProducer.create(new StagingSettings(keys), camel)) {
            assertThatThrownBy(() -> area.get("changes/x.ndjson"))
                    .isInstanceOf(StagingException.class)
                    .hasMessageContaining("no-such-bucket");
        }
    }

    @Test
    void listingPagesThroughMoreThanOnePage() {
        Map<String, String> keys = S3Resource.settings();
        StagingSettings settings = new StagingSettings(keys);
        try (StagingArea area = new S3StagingArea(camel, S3Resource.BUCKET, S3StagingArea.client(settings.s3()), "s3proxy", 2)) {
            String prefix = StagingKeys.inboundPrefix("paging-" + System.nanoTime());
            for (int i = 0; i < 5; i++) {
                area.put(prefix + i + ".csv", new byte[0]);
            }
            assertThat(area.list(prefix)).containsExactly(prefix + "0.csv", prefix + "1.csv", prefix + "2.csv", prefix + "3.csv",
                    prefix + "4.csv");
        }
    }

    @Test
    void theClientServesOnlyTheStagingEndpoints() {
        try (StagingArea area = StagingAreaProducer.create(new StagingSettings(S3Resource.settings()), camel)) {
            area.list("changes/");
            assertThat(camel.getComponent("aws2-s3", org.apache.camel.component.aws2.s3.AWS2S3Component.class)
                    .getConfiguration().getAmazonS3Client()).isNull();
        }
        assertThat(camel.getRegistry().findByType(software.amazon.awssdk.services.s3.S3Client.class)).isEmpty();
    }
}
