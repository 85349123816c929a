package sync.staging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is particular to the directory staging area: atomic, durable writes and a safe key space. */
class FileStagingAreaTest {

    @TempDir
    Path dir;

    @Test
    void createsItsDirectoryAndStoresKeysAsSubdirectories() {
        Path root = dir.resolve("not/yet/there");
        FileStagingArea area = new FileStagingArea(root);

        area.put("changes/Account/2024/04/09/20/a.ndjson", "x".getBytes(StandardCharsets.UTF_8));

        assertThat(root.resolve("changes/Account/2024/04/09/20/a.ndjson")).hasContent("x");
    }

    @Test
    void putLeavesNoTemporaryFileBehind() throws Exception {
        FileStagingArea area = new FileStagingArea(dir);
        area.put("inbound/account/a.csv", "1".getBytes(StandardCharsets.UTF_8));
        area.put("inbound/account/a.csv", "2".getBytes(StandardCharsets.UTF_8));

        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(dir.resolve("inbound/account/a.csv"));
        }
    }

    @Test
    void concurrentPutsOfDifferentKeysAllLandWhole() throws Exception {
        FileStagingArea area = new FileStagingArea(dir);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = IntStream.range(0, 200)
                    .<Future<?>>mapToObj(i -> pool.submit(() -> area.put(String.format("changes/Lead/2024/01/01/00/%04d.ndjson", i), body(i))))
                    .toList();
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> keys = area.list("changes/Lead/");
        assertThat(keys).hasSize(200).isSorted();
        for (int i = 0; i < 200; i++) {
            assertThat(area.get(keys.get(i))).isEqualTo(body(i));
        }
        try (Stream<Path> files = Files.list(dir.resolve("changes/Lead/2024/01/01/00"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void concurrentPutsOfOneKeyLeaveOneWholeVersion() throws Exception {
        FileStagingArea area = new FileStagingArea(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> puts = IntStream.range(0, 40).<Future<?>>mapToObj(i -> pool.submit(() -> area.put("k.ndjson", body(i)))).toList();
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] stored = area.get("k.ndjson");
        assertThat(IntStream.range(0, 40).mapToObj(FileStagingAreaTest::body)).anyMatch(b -> java.util.Arrays.equals(b, stored));
    }

    @Test
    void hidesTemporaryFilesAndReservesDotSegments() throws Exception {
        FileStagingArea area = new FileStagingArea(dir);
        Files.createDirectories(dir.resolve("changes"));
        Files.writeString(dir.resolve("changes/.a.ndjson.123.tmp"), "half");
        Files.writeString(dir.resolve("changes/b.ndjson"), "whole");

        assertThat(area.list("")).containsExactly("changes/b.ndjson");
        assertThatThrownBy(() -> area.put("changes/.hidden", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }

    @Test
    void aDirectoryIsNotAnObject() {
        FileStagingArea area = new FileStagingArea(dir);
        area.put("a/b.ndjson", new byte[]{1});

        assertThatThrownBy(() -> area.get("a")).isInstanceOf(StagedObjectNotFoundException.class);
    }

    @Test
    void anUnwritableDirectoryIsReportedAsUnavailable() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file where a directory should be");
        FileStagingArea area = new FileStagingArea(dir);

        assertThatThrownBy(() -> area.put("blocker/x.ndjson", new byte[]{1}))
                .isInstanceOf(StagingUnavailableException.class)
                .hasMessageContaining("blocker/x.ndjson");
    }

    private static byte[] body(int i) {
        return ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(10_000 + i) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }
}
