package sync.apply;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import sync.change.Change;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;
import sync.testing.PostgresResource;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static sync.apply.Changes.id;

/**
 * Sanity check of the apply rate, printed beside a raw COPY of the same rows in the same run.
 * No timing assertion: figures come from the benchmark command, not from tests.
 */
class ApplyThroughputTest {
    private static final int ROWS = 10_000;
    private static final int BATCH = 1_000;

    private static AgroalDataSource pool() throws SQLException {
        Map<String, String> settings = PostgresResource.settings();
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(p -> p.maxSize(2)
                        .connectionFactoryConfiguration(f -> f.jdbcUrl(settings.get("quarkus.datasource.jdbc.url"))
                                .principal(new NamePrincipal(settings.get("quarkus.datasource.username"))))));
    }

    @Test
    void tenThousandUpsertsInBatchesOfAThousand() throws Exception {
        TestDb.freshSchema("apply_perf");
        String columns = "(sfid text PRIMARY KEY, name text, industry text, annual_revenue numeric(18,2), employees integer,"
                + " billing_city text, is_deleted boolean NOT NULL DEFAULT false)";
        TestDb.exec("CREATE TABLE apply_perf.account " + columns, "CREATE TABLE apply_perf.account_copy " + columns);
        ResolvedMapping m;
        try (Connection c = TestDb.dataSource().getConnection()) {
            m = MappingResolver.resolve("perf", MappingFixture.of("apply_perf.account", MappingFixture.policy("soft(is_deleted)"),
                    "Name", "name", "Industry", "industry", "AnnualRevenue", "annual_revenue", "NumberOfEmployees", "employees",
                    "BillingCity", "billing_city"), MappingFixture.accountDescribe(), c);
        }
        Changes ch = new Changes("perf");
        List<List<Change>> creates = new ArrayList<>();
        List<List<Change>> updates = new ArrayList<>();
        for (int b = 0; b < ROWS / BATCH; b++) {
            List<Change> created = new ArrayList<>(BATCH);
            List<Change> updated = new ArrayList<>(BATCH);
            for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
                created.add(ch.upsert(id(i), 1, i, "Name", "Account " + i, "Industry", "Energy", "AnnualRevenue", i * 10.25,
                        "NumberOfEmployees", i % 5000, "BillingCity", "Zürich", "CreatedDate", "2024-04-09T20:00:00.000Z"));
                updated.add(ch.upsert(id(i), 2, ROWS + i, "Industry", "Retail", "AnnualRevenue", i * 11.5));
            }
            creates.add(created);
            updates.add(updated);
        }
        int applied = 0;
        double applySeconds;
        double updateSeconds;
        // pooled, as in production: sessions keep their replication origin between batches
        try (AgroalDataSource pool = pool()) {
            PostgresApplier applier = new PostgresApplier(pool, "perftest");
            List<Change> warmUp = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                warmUp.add(ch.upsert(id(ROWS + i), 0, 0, "Name", "warm-up", "Industry", "Energy", "AnnualRevenue", 1.5,
                        "NumberOfEmployees", 1, "BillingCity", "Bern"));
            }
            applier.apply(m, warmUp, null);

            long start = System.nanoTime();
            for (List<Change> batch : creates) {
                applied += applier.apply(m, batch, new PositionUpdate("00DRM000000PERFAA", "/data/AccountChangeEvent",
                        Long.parseLong(batch.get(batch.size() - 1).position()))).applied();
            }
            applySeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            for (List<Change> batch : updates) {
                applied += applier.apply(m, batch, new PositionUpdate("00DRM000000PERFAA", "/data/AccountChangeEvent",
                        Long.parseLong(batch.get(batch.size() - 1).position()))).applied();
            }
            updateSeconds = (System.nanoTime() - start) / 1e9;
        }

        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            csv.append(id(i)).append(",Account ").append(i).append(",Energy,").append(i * 10.25).append(',').append(i % 5000)
                    .append(",Zürich,false\n");
        }
        long copyStart = System.nanoTime();
        try (Connection c = TestDb.dataSource().getConnection()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY apply_perf.account_copy FROM STDIN (FORMAT csv)",
                    new StringReader(csv.toString()));
        }
        double copySeconds = (System.nanoTime() - copyStart) / 1e9;

        assertThat(applied).isEqualTo(2 * ROWS);
        assertThat(TestDb.value("SELECT count(*) FROM apply_perf.account WHERE industry = 'Retail'")).isEqualTo((long) ROWS);
        assertThat(TestDb.value("SELECT count(*) FROM apply_perf.account")).isEqualTo((long) ROWS + BATCH);
        System.out.printf("apply, %d new records in batches of %d: %.0f rows/s; partial updates of them: %.0f rows/s;"
                        + " raw COPY of the same rows: %.0f rows/s; apply/COPY = %.2f%n",
                ROWS, BATCH, ROWS / applySeconds, ROWS / updateSeconds, ROWS / copySeconds, copySeconds / applySeconds);
    }
}
