package sync.apply;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static sync.apply.Changes.id;

/** Positions are stored with the rows they cover and never move backwards. */
class ReplayPositionsTest {
    private static final String ORG = "00DRM000000POS1AA";
    private static ReplayPositions positions;

    @BeforeAll
    static void setUp() {
        TestDb.freshSchema("apply_positions");
        positions = new ReplayPositions(TestDb.dataSource());
    }

    @Test
    void aPositionNeverMovesBackwards() {
        String channel = "/data/ContactChangeEvent";

        assertThat(positions.get(ORG, channel)).isEmpty();
        assertThat(positions.set(ORG, channel, 100)).isTrue();
        assertThat(positions.set(ORG, channel, 90)).isFalse();
        assertThat(positions.set(ORG, channel, 100)).isFalse();
        assertThat(positions.get(ORG, channel)).hasValue(100);
        assertThat(positions.set(ORG, channel, 101)).isTrue();
        assertThat(positions.get(ORG, channel)).hasValue(101);
        assertThat(positions.get("00DRM000000OTHERAA", channel)).isEmpty();
    }

    @Test
    void aPositionCommitsWithItsBatchOrNotAtAll() throws SQLException {
        TestDb.exec("CREATE TABLE apply_positions.account (sfid text PRIMARY KEY, name text)");
        ResolvedMapping m;
        try (Connection c = TestDb.dataSource().getConnection()) {
            m = MappingResolver.resolve("positions", MappingFixture.of("apply_positions.account", MappingFixture.policy("hard"),
                    "Name", "name"), MappingFixture.accountDescribe(), c);
        }
        PostgresApplier applier = new PostgresApplier(TestDb.dataSource(), "positiontest");
        Changes ch = new Changes("positions");
        String channel = "/data/AccountChangeEvent";

        applier.apply(m, List.of(ch.upsert(id(1), 1, 7, "Name", "A")), new PositionUpdate(ORG, channel, 7));
        assertThat(positions.get(ORG, channel)).hasValue(7);

        // a redelivered older batch neither rewinds the position nor changes the row
        applier.apply(m, List.of(ch.upsert(id(1), 0, 3, "Name", "older")), new PositionUpdate(ORG, channel, 3));
        assertThat(positions.get(ORG, channel)).hasValue(7);
        assertThat(TestDb.value("SELECT name FROM apply_positions.account")).isEqualTo("A");

        // a batch that fails as a whole, after its rows and position were written, leaves neither
        assertThatThrownBy(() -> applier.apply(m, List.of(ch.upsert(id(2), 2, 9, "Name", "B")), new PositionUpdate(ORG, channel, 9),
                DeadLetters::insert, (c, result) -> {
                    throw new SQLException("failure at the last step", "XX000");
                }))
                .isInstanceOf(ApplyException.class).isNotInstanceOf(TransientApplyException.class)
                .hasMessageContaining("failure at the last step");
        assertThat(positions.get(ORG, channel)).hasValue(7);
        assertThat(TestDb.value("SELECT count(*) FROM apply_positions.account")).isEqualTo(1L);
    }
}
