package sync.staging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StagingKeysTest {

    @Test
    void batchKeyIsPartitionedByObjectAndUtcHourAndNamesTheRange() {
        String key = StagingKeys.changes("Loan__c", Instant.parse("2024-04-09T20:26:27.123Z"), 37904280L, 37904311L);

        assertThat(key).isEqualTo("changes/Loan__c/2024/04/09/20/0000000000037904280-0000000000037904311.ndjson");
    }

    @Test
    void keyParsesBackToItsBatch() {
        Instant t = Instant.parse("2031-01-02T03:59:59Z");
        String key = StagingKeys.changes("Account", t, 0, Long.MAX_VALUE);

        assertThat(StagingKeys.parse(key)).hasValueSatisfying(b -> {
            assertThat(b.object()).isEqualTo("Account");
            assertThat(b.hour()).isEqualTo(Instant.parse("2031-01-02T03:00:00Z"));
            assertThat(b.firstReplayId()).isZero();
            assertThat(b.lastReplayId()).isEqualTo(Long.MAX_VALUE);
            assertThat(b.key()).isEqualTo(key);
        });
    }

    @Test
    void sortingKeysAsStringsSortsBatchesInReplayOrder() {
        Instant t = Instant.parse("2024-04-09T20:00:00Z");
        List<String> ordered = List.of(
                StagingKeys.changes("Account", t, 2, 9),
                StagingKeys.changes("Account", t, 10, 10),
                StagingKeys.changes("Account", t, 11, 1_000_000),
                StagingKeys.changes("Account", t.plusSeconds(3600), 1_000_001, 1_000_002));
        List<String> sorted = new ArrayList<>(ordered);
        Collections.reverse(sorted);
        Collections.sort(sorted);

        assertThat(sorted).containsExactlyElementsOf(ordered);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "changes/Account/2024/04/09/20/37904280-37904311.ndjson",
            "changes/Account/2024/13/09/20/0000000000037904280-0000000000037904311.ndjson",
            "changes/Account/2024/04/09/20/0000000000037904311-0000000000037904280.ndjson",
            "changes/Account/2024/04/09/20/9999999999999999999-9999999999999999999.ndjson",
            "changes/Account/2024/04/09/0000000000037904280-0000000000037904311.ndjson",
            "changes/Account/2024/04/09/20/0000000000037904280-0000000000037904311.json",
            "inbound/account/export.csv",
            "changes/Acc ount/2024/04/09/20/0000000000037904280-0000000000037904311.ndjson"})
    void otherKeysAreNotBatches(String key) {
        assertThat(StagingKeys.parse(key)).isEmpty();
    }

    @Test
    void prefixes() {
        assertThat(StagingKeys.changesPrefix("Account")).isEqualTo("changes/Account/");
        assertThat(StagingKeys.changesPrefix("Account", Instant.parse("2024-04-09T05:59:00Z"))).isEqualTo("changes/Account/2024/04/09/05/");
        assertThat(StagingKeys.inboundPrefix("account")).isEqualTo("inbound/account/");
        assertThat(StagingKeys.inboundMapping("inbound/account/2024/x.csv")).contains("account");
        assertThat(StagingKeys.inboundMapping("inbound/account/")).isEmpty();
        assertThat(StagingKeys.inboundMapping("changes/Account/x")).isEmpty();
    }

    @Test
    void rangesOverlap() {
        var batch = StagingKeys.parse(StagingKeys.changes("Account", Instant.EPOCH, 10, 20)).orElseThrow();

        assertThat(batch.overlaps(20, 30)).isTrue();
        assertThat(batch.overlaps(0, 10)).isTrue();
        assertThat(batch.overlaps(12, 13)).isTrue();
        assertThat(batch.overlaps(21, 30)).isFalse();
        assertThat(batch.overlaps(0, 9)).isFalse();
    }

    @Test
    void rejectsWhatCannotBeAKey() {
        assertThatThrownBy(() -> StagingKeys.changes("../etc", Instant.EPOCH, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StagingKeys.changes("Account", Instant.EPOCH, 3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StagingKeys.changes("Account", Instant.EPOCH, -1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StagingKeys.inboundPrefix("a/b")).isInstanceOf(IllegalArgumentException.class);
    }
}
