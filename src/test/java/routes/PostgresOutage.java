package routes;

import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL unavailable to Sluice while the test goes on: new connections to the database are
 * refused and every other session (Sluice's pool, Debezium's replication connection) is ended,
 * as a restarted or failed-over server does. The application session given to {@link #begin}
 * stays usable, so the test can write as the application meanwhile; {@link #close} ends the
 * outage.
 */
final class PostgresOutage implements AutoCloseable {
    private final Connection session;
    private final Connection admin;
    private final String database;

    private PostgresOutage(Connection session, Connection admin, String database) {
        this.session = session;
        this.admin = admin;
        this.database = database;
    }

    static PostgresOutage begin(Connection session) throws SQLException {
        String database;
        try (Statement st = session.createStatement(); var rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            database = rs.getString(1);
        }
        // A database's connections can only be disallowed from another database.
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        int path = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', path);
        String other = "postgres".equals(database) ? "template1" : "postgres";
        Connection admin = DriverManager.getConnection(url.substring(0, path + 1) + other + (query < 0 ? "" : url.substring(query)),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(null));
        PostgresOutage outage = new PostgresOutage(session, admin, database);
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE " + quoted(database) + " ALLOW_CONNECTIONS false");
        }
        outage.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid()");
        return outage;
    }

    /** Runs a statement in the application session that outlives the outage. */
    void execute(String sql) throws SQLException {
        try (Statement st = session.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE " + quoted(database) + " ALLOW_CONNECTIONS true");
        } finally {
            admin.close();
            session.close();
        }
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
