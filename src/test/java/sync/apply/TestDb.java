package sync.apply;

import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import sync.testing.PostgresResource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The shared embedded PostgreSQL with the control schema migrated, and small SQL helpers. */
public final class TestDb {
    private static PGSimpleDataSource dataSource;

    private TestDb() {
    }

    /** A non-pooling data source on the test server; the first call migrates the {@code sync} schema. */
    public static synchronized PGSimpleDataSource dataSource() {
        if (dataSource == null) {
            Map<String, String> settings = PostgresResource.settings();
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(settings.get("quarkus.datasource.jdbc.url"));
            ds.setUser(settings.get("quarkus.datasource.username"));
            Flyway.configure().dataSource(ds).schemas("sync").defaultSchema("sync").createSchemas(true)
                    .locations("classpath:db/migration").load().migrate();
            dataSource = ds;
        }
        return dataSource;
    }

    /** Runs statements, each on its own, autocommit. */
    public static void exec(String... sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A fresh, empty schema. */
    public static void freshSchema(String schema) {
        exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
    }

    /** Rows of a query, column label -> value (JDBC objects). */
    public static List<Map<String, Object>> rows(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The single value of a query, or null when it returns no row. */
    public static Object value(String sql) {
        List<Map<String, Object>> rows = rows(sql);
        return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    }
}
