package sync.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Starts a throwaway PostgreSQL 18 server from the zonky binaries, configured like a server
 * Sluice streams from: logical decoding on, replication slots and WAL senders available. It
 * listens on localhost only, because the zonky server trusts every local connection.
 * Used by dev mode and by the tests; never part of the production package.
 */
public final class EmbeddedPostgresLauncher {

    /** The database Sluice uses inside the embedded server. */
    public static final String DATABASE = "sluice";

    /** The superuser zonky's initdb creates. */
    public static final String USERNAME = "postgres";

    private EmbeddedPostgresLauncher() {
    }

    /** A running server: its JDBC URL and how to stop it. */
    public record Server(String jdbcUrl, String username, int port, AutoCloseable stop) {
    }

    /** Starts a server in a fresh temporary data directory and creates {@link #DATABASE}. */
    public static Server start() {
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    // one replication origin per pooled connection that applies changes (PostgreSQL 18)
                    .setServerConfig("max_active_replication_origins", "32")
                    // The caller's shutdown hook stops it, after whatever uses it.
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL", e);
        }
        try {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/" + DATABASE;
            return new Server(url, USERNAME, pg.getPort(), pg::close);
        } catch (SQLException e) {
            stopQuietly(pg, e);
            throw new IllegalStateException("Cannot create database " + DATABASE + " in the embedded PostgreSQL", e);
        }
    }

    private static void stopQuietly(EmbeddedPostgres pg, Exception cause) {
        try {
            pg.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
