package sync.apply;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class SqlErrorsTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            // connection, serialization, deadlock, resources, shutdown, timeouts, read-only standby
            "08006, TRANSIENT", "08001, TRANSIENT", "40001, TRANSIENT", "40P01, TRANSIENT", "53300, TRANSIENT",
            "53100, TRANSIENT", "57P01, TRANSIENT", "57P03, TRANSIENT", "55P03, TRANSIENT", "57014, TRANSIENT",
            "25006, TRANSIENT", "58030, TRANSIENT",
            // data, constraints, undefined or forbidden objects, internal errors
            "22001, PERMANENT", "22P02, PERMANENT", "23505, PERMANENT", "23514, PERMANENT", "23502, PERMANENT",
            "42P01, PERMANENT", "42703, PERMANENT", "42501, PERMANENT", "40002, PERMANENT", "57P04, PERMANENT",
            "XX000, PERMANENT", "0A000, PERMANENT"})
    void classifiesBySqlState(String state, SqlErrors.Kind kind) {
        assertThat(SqlErrors.classify(new SQLException("x", state))).isEqualTo(kind);
    }

    @Test
    void failuresWithoutAStateAreRetried() {
        assertThat(SqlErrors.classify(new SQLException("pool acquisition timeout"))).isEqualTo(SqlErrors.Kind.TRANSIENT);
        assertThat(SqlErrors.isTransient(new SQLTransientConnectionException("gone", "99999"))).isTrue();
    }

    @Test
    void describesPlainExceptionsWithTheirState() {
        assertThat(SqlErrors.describe(new SQLException("boom", "XX000"))).isEqualTo("boom (SQLState XX000)");
    }
}
