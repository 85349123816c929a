package sync.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import sync.embedded.JvmOnce;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * An S3-compatible server (s3proxy over an in-memory blob store) on a free loopback port, one
 * per test JVM, with a staging bucket already created and random credentials. Returns the
 * {@code sync.staging.*} settings that point Sluice's staging area at it.
 */
public class S3Resource implements QuarkusTestResourceLifecycleManager {

    /** The staging bucket created at start. */
    public static final String BUCKET = "sluice-staging";

    @Override
    public Map<String, String> start() {
        return settings();
    }

    /** The staging settings, starting the server on the first call in this JVM. */
    public static Map<String, String> settings() {
        return JvmOnce.settings("test-s3", S3Resource::startServer);
    }

    private static Map<String, String> startServer() {
        String accessKey = "AK" + random(9);
        String secretKey = random(20);
        BlobStore store = new TransientNio2BlobStore();
        store.createContainer(BUCKET);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        try {
            proxy.start();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start s3proxy", e);
        }
        Awaitility.await("s3proxy started").atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot stop s3proxy", e);
            }
        }, "test-s3-stop"));
        return Map.of(
                "sync.staging.uri", "aws2-s3:" + BUCKET,
                "sync.staging.s3.endpoint", "http://127.0.0.1:" + proxy.getPort(),
                "sync.staging.s3.region", "us-east-1",
                "sync.staging.s3.access-key", accessKey,
                "sync.staging.s3.secret-key", secretKey,
                "sync.staging.s3.force-path-style", "true");
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    @Override
    public void stop() {
        // Shared by every test application in this JVM: the shutdown hook stops it.
    }
}
