package sync.staging;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RecordIdsTest {

    @ParameterizedTest
    @CsvSource({
            "0015f00002J9YaU,    0015f00002J9YaUAAV",
            "0015f00002J9YaUAAV, 0015f00002J9YaUAAV",
            "0015F00002J9YAUAAV, 0015f00002J9YaUAAV",   // upper-cased by a case-insensitive tool
            "0015f00002j9yauaav, 0015f00002J9YaUAAV",   // lower-cased
            "001000000000001,    001000000000001AAA",
            "a0B5f00000XyZ12,    a0B5f00000XyZ12EAF"})
    void normalizesTo18Characters(String id, String expected) {
        assertThat(RecordIds.normalize(id)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0015f00002J9Ya", "0015f00002J9YaUA", "0015f00002J9Ya-", "0015f00002J9YaUAA9",
            "001000000000001AAB"})
    void rejectsWhatIsNotAnId(String id) {
        assertThat(RecordIds.normalize(id)).isEmpty();
    }
}
