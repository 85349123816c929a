package sync;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import sync.testing.S3Resource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 test resource is a real S3 endpoint for the AWS SDK v2 that camel-aws2-s3 uses. */
class S3ResourceTest {

    private static final Map<String, String> S3 = S3Resource.settings();

    @Test
    void stagingBucketExists() {
        try (S3Client s3 = client(S3.get("sync.staging.s3.secret-key"))) {
            assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains(S3Resource.BUCKET);
        }
    }

    @Test
    void putThenGetAnObject() {
        String key = "batches/" + UUID.randomUUID() + ".ndjson";
        String body = "{\"op\":\"UPSERT\",\"Id\":\"001000000000001AAA\"}\n";
        try (S3Client s3 = client(S3.get("sync.staging.s3.secret-key"))) {
            s3.putObject(b -> b.bucket(S3Resource.BUCKET).key(key).contentType("application/x-ndjson"),
                    RequestBody.fromString(body, StandardCharsets.UTF_8));

            assertThat(s3.getObjectAsBytes(b -> b.bucket(S3Resource.BUCKET).key(key)).asUtf8String()).isEqualTo(body);
            assertThat(s3.listObjectsV2(b -> b.bucket(S3Resource.BUCKET).prefix("batches/")).contents())
                    .extracting(S3Object::key).contains(key);
        }
    }

    @Test
    void rejectsAWrongSecret() {
        try (S3Client s3 = client("not-the-secret")) {
            assertThatThrownBy(s3::listBuckets)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    private static S3Client client(String secretKey) {
        return S3Client.builder()
                .endpointOverride(URI.create(S3.get("sync.staging.s3.endpoint")))
                .region(Region.of(S3.get("sync.staging.s3.region")))
                .forcePathStyle(Boolean.parseBoolean(S3.get("sync.staging.s3.force-path-style")))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3.get("sync.staging.s3.access-key"), secretKey)))
                .build();
    }
}
