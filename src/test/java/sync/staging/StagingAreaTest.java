package sync.staging;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sync.testing.S3Resource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@link StagingArea} contract, held by both implementations, built the way production builds them. */
class StagingAreaTest {

    private static DefaultCamelContext camel;
    private static Path dir;
    private static StagingArea file;
    private static StagingArea s3;

    @BeforeAll
    static void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        dir = Files.createTempDirectory("staging-test");
        file = StagingAreaProducer.create(new StagingSettings(Map.of("sync.staging.uri", "file:" + dir)), camel);
        s3 = StagingAreaProducer.create(new StagingSettings(S3Resource.settings()), camel);
    }

    @AfterAll
    static void stop() {
        file.close();
        s3.close();
        camel.stop();
    }

    static Stream<StagingArea> areas() {
        return Stream.of(file, s3);
    }

    /** Each test works under an object of its own: the S3 bucket is shared by the whole test JVM. */
    private static String object() {
        return "T" + UUID.randomUUID().toString().replace("-", "");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("areas")
    void putGetListDeleteRoundTrip(StagingArea area) {
        String object = object();
        String key = StagingKeys.changes(object, Instant.parse("2024-04-09T20:26:27Z"), 7, 9);
        byte[] content = "{\"a\":\"Grüße, 東京 🚀\"}\n".getBytes(StandardCharsets.UTF_8);

        area.put(key, content);

        assertThat(area.get(key)).isEqualTo(content);
        assertThat(area.list(StagingKeys.changesPrefix(object))).containsExactly(key);

        area.put(key, "replaced".getBytes(StandardCharsets.UTF_8));
        assertThat(area.get(key)).asString(StandardCharsets.UTF_8).isEqualTo("replaced");

        area.delete(key);
        assertThat(area.list(StagingKeys.changesPrefix(object))).isEmpty();
        assertThatThrownBy(() -> area.get(key))
                .isInstanceOf(StagedObjectNotFoundException.class)
                .hasMessageContaining(key);
        area.delete(key); // absent: not an error
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("areas")
    void listingOrderIsReplayOrder(StagingArea area) {
        String object = object();
        Instant t = Instant.parse("2024-12-31T23:10:00Z");
        List<String> inReplayOrder = List.of(
                StagingKeys.changes(object, t, 9, 99),
                StagingKeys.changes(object, t, 100, 100),
                StagingKeys.changes(object, t.plusSeconds(3600), 101, 1000),
                StagingKeys.changes(object, t.plusSeconds(3600), 1001, 99_999_999_999L));
        List<String> shuffled = new ArrayList<>(inReplayOrder);
        Collections.shuffle(shuffled);
        shuffled.forEach(k -> area.put(k, new byte[]{1}));
        area.put(StagingKeys.changesPrefix(object + "x") + "other.ndjson", new byte[]{2});

        assertThat(area.list(StagingKeys.changesPrefix(object))).containsExactlyElementsOf(inReplayOrder);
        assertThat(area.list(StagingKeys.changesPrefix(object) + "2025/"))
                .containsExactly(inReplayOrder.get(2), inReplayOrder.get(3));
        // A prefix need not end at a '/'.
        assertThat(area.list(StagingKeys.changesPrefix(object) + "2025/01/01/00/000000000000000100"))
                .containsExactly(inReplayOrder.get(3));
        assertThat(area.list(StagingKeys.changesPrefix(object) + "1999/")).isEmpty();
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("areas")
    void emptyAndLargeObjectsRoundTrip(StagingArea area) {
        String prefix = StagingKeys.inboundPrefix(object());
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        IntStream.range(0, large.length).forEach(i -> large[i] = (byte) (i * 31));

        area.put(prefix + "empty.csv", new byte[0]);
        area.put(prefix + "large.bin", large);

        assertThat(area.get(prefix + "empty.csv")).isEmpty();
        assertThat(area.get(prefix + "large.bin")).isEqualTo(large);
        assertThat(area.list(prefix)).containsExactly(prefix + "empty.csv", prefix + "large.bin");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("areas")
    void rejectsKeysThatAreNotRelativePaths(StagingArea area) {
        for (String bad : List.of("", "/abs", "a//b", "a/../../etc/passwd", "a/./b", "dir/", "a\\b", "a\nb")) {
            assertThatThrownBy(() -> area.put(bad, new byte[0])).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> area.get(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
