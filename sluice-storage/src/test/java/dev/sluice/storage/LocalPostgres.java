package dev.sluice.storage;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, started from Debian's {@code postgresql} package: {@code initdb} into a fresh
 * temporary directory, {@code pg_ctl start} on a free port of 127.0.0.1 with its Unix socket in that directory.
 * When the tests run as root (CI does), the server runs as the OS user {@code postgres}, because PostgreSQL refuses
 * to run as root.
 *
 * <p>Nothing is skipped: without the server binaries, {@link #start} fails and says to install the package.
 *
 * <pre>{@code
 * PostgresSettings settings = LocalPostgres.shared().newDatabase();   // a database of its own, owned by a CREATEROLE user
 * try (PostgresStore store = PostgresStore.open(settings)) { ... }
 * }</pre>
 */
public final class LocalPostgres implements AutoCloseable {
    /** The superuser initdb creates; it logs in without a password (trust) over 127.0.0.1 and the socket only. */
    public static final String SUPERUSER = "sluice";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static LocalPostgres shared;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private LocalPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * One server for the whole test JVM, started on first use and stopped when the JVM exits; without fsync, since no
     * test crashes the machine. Give each test class its own database with {@link #newDatabase()}.
     */
    public static synchronized LocalPostgres shared() {
        if (shared == null) {
            LocalPostgres started = start(false);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-postgres-stop"));
            shared = started;
        }
        return shared;
    }

    /**
     * Starts a server of its own; the caller closes it.
     *
     * @param durable whether commits are flushed to disk (fsync), as in production; for measurements
     */
    public static LocalPostgres start(boolean durable) {
        Path bin = serverBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir;
        try {
            dir = Files.createTempDirectory("sluice-pg-");
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot prepare a directory for PostgreSQL (as root it must belong to the OS user"
                    + " 'postgres', which Debian's postgresql package creates): " + e.getMessage(), e);
        }
        int port = freePort();
        LocalPostgres pg = new LocalPostgres(bin, dir, port, root);
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", SUPERUSER, "--auth=trust",
                "-E", "UTF8", "--no-locale", "--no-sync"), "initdb");
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1" + (durable ? "" : " -c fsync=off -c synchronous_commit=off");
        pg.run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", options, "start"), "pg_ctl start");
        return pg;
    }

    private static Path serverBinaries() {
        Optional<Path> found = Optional.empty();
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())));
            } catch (IOException e) {
                throw new IllegalStateException("Cannot list " + root + ": " + e.getMessage(), e);
            }
        }
        return found.orElseThrow(() -> new IllegalStateException("PostgreSQL's server binaries (initdb, pg_ctl) are not installed:"
                + " no /usr/lib/postgresql/<version>/bin/initdb. These tests need a real PostgreSQL; install it with"
                + " 'apt-get install postgresql' (CI does, in .ci/run)"));
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot find a free port: " + e.getMessage(), e);
        }
    }

    private void run(List<String> command, String what) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve(what.replace(' ', '-') + ".out").toFile())
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " failed (" + String.join(" ", full) + "): " + output(what)
                        + (Files.exists(dir.resolve("server.log")) ? "\nserver log: " + Files.readString(dir.resolve("server.log")) : ""));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + what, e);
        }
    }

    private String output(String what) throws IOException {
        Path out = dir.resolve(what.replace(' ', '-') + ".out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    public int port() {
        return port;
    }

    /** A JDBC URL for a database of this server, without user. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A connection as the superuser; the caller closes it. */
    public Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database) + "?user=" + SUPERUSER);
    }

    /**
     * A new database owned by a new role of its own that may log in and create roles (what Sluice's writer needs to
     * manage its read-only role), but is no superuser; the settings of a store on it.
     */
    public PostgresSettings newDatabase() {
        int n = DATABASES.incrementAndGet();
        String database = "sluice_" + n;
        String user = "writer_" + n;
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + user + " LOGIN CREATEROLE");
            s.execute("CREATE DATABASE " + database + " OWNER " + user);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + database + ": " + e.getMessage(), e);
        }
        return PostgresSettings.of("postgresql://127.0.0.1:" + port + "/" + database + "?user=" + user, Optional.empty());
    }

    /** Stops the server at once and deletes its files. */
    @Override
    public void close() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), "pg_ctl stop");
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
