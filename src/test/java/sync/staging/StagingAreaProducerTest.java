package sync.staging;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StagingAreaProducerTest {

    @TempDir
    Path dir;

    @Test
    void fileUriGivesADirectoryArea() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext();
             StagingArea area = StagingAreaProducer.create(new StagingSettings(Map.of("sync.staging.uri", "file://" + dir)), camel)) {
            assertThat(area).isInstanceOfSatisfying(FileStagingArea.class, f -> assertThat(f.root()).isEqualTo(dir));
        }
    }

    @Test
    void s3UriGivesAnS3AreaForItsBucket() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext();
             StagingArea area = StagingAreaProducer.create(new StagingSettings(Map.of(
                     "sync.staging.uri", "aws2-s3://my-bucket",
                     "sync.staging.s3.endpoint", "http://127.0.0.1:9",
                     "sync.staging.s3.access-key", "AK",
                     "sync.staging.s3.secret-key", "SECRET")), camel)) {
            assertThat(area).isInstanceOf(S3StagingArea.class);
            assertThat(area.describe()).contains("my-bucket", "http://127.0.0.1:9").doesNotContain("SECRET");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3:bucket", "ftp://host/dir", "target/staging", "file:", "aws2-s3:bucket?region=eu-west-1"})
    void anythingElseFailsNamingTheKeyAndTheAcceptedForms(String uri) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            assertThatThrownBy(() -> StagingAreaProducer.create(new StagingSettings(Map.of("sync.staging.uri", uri)), camel))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sync.staging.uri")
                    .hasMessageContaining("file:<directory>")
                    .hasMessageContaining("aws2-s3:<bucket>");
        }
    }
}
