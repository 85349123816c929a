package sync.testing;

import org.junit.jupiter.api.Assumptions;
import sync.embedded.JvmOnce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 server from Debian's binaries, configured like a server Sluice
 * streams from (logical decoding on), for the PostgreSQL 14/15 path: there pgoutput has no
 * {@code origin} option, so echo suppression must happen in Sluice. The tests run as root and
 * PostgreSQL refuses to, so every server command runs as the OS user {@code postgres}
 * ({@code runuser}), in a fresh temporary directory owned by that user. The server listens on
 * 127.0.0.1 only, at a free port, with password (SCRAM) authentication for the superuser.
 *
 * <p>{@link #shared()} gives the one server of the test JVM, started on first use and stopped
 * and deleted when the JVM exits; {@link #start()} gives a private one, stopped and deleted by
 * {@link #close()}. Both skip the calling test, through a JUnit assumption, on a machine without
 * the binaries.
 */
public final class Postgres15 implements AutoCloseable {

    /** Where Debian installs the PostgreSQL 15 server binaries (package postgresql-15). */
    public static final String BIN_DIRECTORY = "/usr/lib/postgresql/15/bin";

    /** Why the PostgreSQL 15 tests are skipped on a machine without the binaries (a constant, for annotations). */
    public static final String NOT_INSTALLED = "PostgreSQL 15 server binaries not found at " + BIN_DIRECTORY
            + " (Debian package postgresql-15): skipping the PostgreSQL 15 tests";

    public static final Path BIN = Path.of(BIN_DIRECTORY);

    /** The database created for the tests. */
    public static final String DATABASE = "sluice";

    /** The superuser initdb creates. */
    public static final String USERNAME = "postgres";

    private static final String OS_USER = "postgres";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    /** How to reach a server. */
    public record Settings(String jdbcUrl, String username, String password) {
    }

    private final Path root;
    private final Settings settings;

    private Postgres15(Path root, Settings settings) {
        this.root = root;
        this.settings = settings;
    }

    /** Whether this machine has the PostgreSQL 15 server binaries. */
    public static boolean installed() {
        return Files.isExecutable(BIN.resolve("postgres")) && Files.isExecutable(BIN.resolve("initdb"));
    }

    /** Skips the calling test unless the PostgreSQL 15 server binaries are installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(), NOT_INSTALLED);
    }

    /** The test JVM's shared server, started on the first call; skips the test without the binaries. */
    public static Settings shared() {
        assumeInstalled();
        Map<String, String> s = JvmOnce.settings("test-postgres15", () -> {
            Postgres15 server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "test-postgres15-stop"));
            Settings started = server.settings();
            return Map.of("url", started.jdbcUrl(), "username", started.username(), "password", started.password());
        });
        return new Settings(s.get("url"), s.get("username"), s.get("password"));
    }

    /** Starts a private server in a fresh temporary directory; skips the test without the binaries. */
    public static Postgres15 start() {
        assumeInstalled();
        Path root = null;
        try {
            root = Files.createTempDirectory("sluice-pg15-");
            giveToPostgres(root);
            String password = UUID.randomUUID().toString();
            Path passwordFile = root.resolve("password");
            Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
            giveToPostgres(passwordFile);
            Path data = root.resolve("data");
            runAsPostgres(root, BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", USERNAME,
                    "--pwfile=" + passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "--encoding=UTF8", "--no-locale", "--no-sync");
            int port = freePort();
            Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                    "",
                    "# Sluice tests",
                    "listen_addresses = '127.0.0.1'",
                    "port = " + port,
                    "unix_socket_directories = '" + root + "'",
                    "wal_level = logical",
                    "max_replication_slots = 20",
                    "max_wal_senders = 20",
                    "fsync = off",
                    "full_page_writes = off",
                    ""), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            runAsPostgres(root, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    root.resolve("server.log").toString(), "-w", "-t", "60", "start");
            Postgres15 server = new Postgres15(root,
                    new Settings("jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE, USERNAME, password));
            server.createDatabase(port);
            return server;
        } catch (IOException | RuntimeException e) {
            if (root != null) {
                stopAndDelete(root, e);
            }
            throw e instanceof IOException io ? new UncheckedIOException("Cannot start PostgreSQL 15", io) : (RuntimeException) e;
        }
    }

    public Settings settings() {
        return settings;
    }

    /** Stops the server (fast shutdown: open sessions and WAL senders are ended) and deletes its files. */
    @Override
    public void close() {
        IllegalStateException failure = new IllegalStateException("Cannot stop PostgreSQL 15 in " + root);
        stopAndDelete(root, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private void createDatabase(int port) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, settings.username(), settings.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + DATABASE + " in PostgreSQL 15: " + e.getMessage(), e);
        }
    }

    private static void stopAndDelete(Path root, Exception failure) {
        Path data = root.resolve("data");
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                runAsPostgres(root, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Hands a file to the postgres OS user; without root the server runs as this JVM's user, who owns it already. */
    private static void giveToPostgres(Path path) throws IOException {
        if (!runningAsRoot()) {
            return;
        }
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(OS_USER));
        GroupPrincipal group = users.lookupPrincipalByGroupName(OS_USER);
        view.setGroup(group);
    }

    /** Runs a server command as the postgres OS user (directly if this JVM is not root). */
    private static void runAsPostgres(Path workDir, String... command) {
        List<String> full = new ArrayList<>();
        if (runningAsRoot()) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(full).directory(workDir.toFile()).redirectErrorStream(true).start();
            // pg_ctl's output is short; reading it to the end also waits for the command to end.
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " did not finish: " + output);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed (exit " + p.exitValue() + "): "
                        + output + serverLog(workDir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", full), e);
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String serverLog(Path root) {
        Path log = root.resolve("server.log");
        try {
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
