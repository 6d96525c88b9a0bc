package io.muster.view;

import io.muster.MusterProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.UUID;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcConnectionPool;
import org.springframework.util.FileSystemUtils;

/**
 * One H2 database holding the view, created empty with its schema: a unique in-memory database, or a
 * fresh file under the data directory (the view is rebuilt from the state anyway). When one fails (H2
 * closed it, ran out of memory), the {@link Projector} throws it away and creates the next generation
 * under a new name, so nothing can reopen or half-use the broken one. Private to this node (no TCP
 * server, no console).
 *
 * <p>Settings, named in the URL of the connection that creates the database:
 * {@code JAVA_OBJECT_SERIALIZER} (see {@link H2Hardening}: no Java deserialization, per database);
 * {@code MAX_MEMORY_ROWS} = {@code muster.view.max-rows}, so a larger sort or {@code DISTINCT} spills to
 * a temporary file (H2 honours it for a database on disk only; an in-memory database keeps every row in
 * memory, which the guard's table and row bounds limit); {@code DB_CLOSE_DELAY=-1}, so the database lives
 * until {@link #close}. The pools connect with {@code IFEXISTS=TRUE}: a database H2 closed is never
 * silently recreated empty.
 *
 * <p>Thread-safe: the pools are, and the health probe's connection is used under its lock.
 */
final class ViewDatabase implements AutoCloseable {

    /** H2 error codes that mean the database (not the statement) is gone or broken. */
    private static final Set<Integer> BROKEN = Set.of(ErrorCode.DATABASE_IS_CLOSED,
            ErrorCode.DATABASE_CALLED_AT_SHUTDOWN, ErrorCode.OUT_OF_MEMORY, ErrorCode.OBJECT_CLOSED,
            ErrorCode.CONNECTION_BROKEN_1, ErrorCode.DATABASE_NOT_FOUND_WITH_IF_EXISTS_1,
            ErrorCode.DATABASE_NOT_FOUND_1, ErrorCode.FILE_CORRUPTED_1, ErrorCode.GENERAL_ERROR_1);
    private static final String ADMIN = "muster";
    static final String READER = "query_reader";
    private static final int ADMIN_CONNECTIONS = 32;

    private final String url;
    private final Path file;
    private final JdbcConnectionPool admin;
    private final JdbcConnectionPool readers;
    /**
     * The health check's own connection, so that a probe never waits for one of the pools' (busy readers
     * or a slow query must not stall readiness). Used under its own lock.
     */
    private final Connection probe;

    private ViewDatabase(String url, Path file, JdbcConnectionPool admin, JdbcConnectionPool readers)
            throws SQLException {
        this.url = url;
        this.file = file;
        this.admin = admin;
        this.readers = readers;
        this.probe = admin.getConnection();
    }

    /**
     * Creates generation {@code generation} (0 at start-up: it also empties the view's directory under
     * {@code dataDir}, if the view is on disk).
     */
    static ViewDatabase create(MusterProperties.View settings, Path dataDir, int generation) {
        Path file = settings.storage() == MusterProperties.View.Storage.DISK ? file(dataDir, generation) : null;
        String url = file == null ? "jdbc:h2:mem:muster-view-" + UUID.randomUUID() : "jdbc:h2:file:" + file;
        String readerPassword = UUID.randomUUID().toString();
        try (Connection creator = DriverManager.getConnection(url + creationSettings(settings), ADMIN, "");
             Statement statement = creator.createStatement()) {
            statement.execute("RUNSCRIPT FROM 'classpath:schema.sql'");
            // Operators' queries run as a user that may only read the view's tables.
            statement.execute("CREATE USER " + READER + " PASSWORD '" + readerPassword + "'");
            statement.execute("GRANT SELECT ON entries, entry_history, leases, instances, instance_tags, "
                    + "instance_metadata, services, locks, lock_waiters, tokens, audit, config_release, "
                    + "config_release_document, view_status TO " + READER);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the H2 view's database " + url, e);
        }
        JdbcConnectionPool admin = JdbcConnectionPool.create(url + ";IFEXISTS=TRUE", ADMIN, "");
        // Muster's own reads (history, search, audit, digest) and the projector: more than H2's default 10,
        // so that a burst of them does not queue for a connection.
        admin.setMaxConnections(ADMIN_CONNECTIONS);
        try {
            return new ViewDatabase(url, file, admin, JdbcConnectionPool.create(url + ";IFEXISTS=TRUE", READER,
                    readerPassword));
        } catch (SQLException e) {
            admin.dispose();
            throw new IllegalStateException("could not connect to the H2 view's database " + url, e);
        }
    }

    private static Path file(Path dataDir, int generation) {
        Path directory = dataDir.resolve("view").toAbsolutePath().normalize();
        try {
            if (generation == 0) {
                FileSystemUtils.deleteRecursively(directory);
            }
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare the H2 view's directory " + directory, e);
        }
        return directory.resolve(generation == 0 ? "muster-view" : "muster-view-" + generation);
    }

    private static String creationSettings(MusterProperties.View settings) {
        String cache = settings.storage() == MusterProperties.View.Storage.DISK
                ? ";CACHE_SIZE=" + settings.cacheSize().toKilobytes() : "";
        return ";DB_CLOSE_DELAY=-1;JAVA_OBJECT_SERIALIZER='" + H2Hardening.SERIALIZER + "';MAX_MEMORY_ROWS="
                + settings.maxRows() + cache;
    }

    /** Whether {@code e} says the database itself is gone or broken, rather than one statement failing. */
    static boolean broken(SQLException e) {
        return BROKEN.contains(e.getErrorCode());
    }

    String url() {
        return url;
    }

    /** A connection as the administrator (the projector and Muster's own reads). */
    Connection admin() throws SQLException {
        return admin.getConnection();
    }

    /** A connection as the query user, who may only read the view's tables. */
    Connection reader() throws SQLException {
        return readers.getConnection();
    }

    /** Whether the database still answers a statement (asked on the probe's own connection). */
    boolean alive() {
        synchronized (probe) {
            try (Statement statement = probe.createStatement()) {
                statement.setQueryTimeout(1);
                statement.executeQuery("SELECT revision FROM view_status WHERE id = 1").close();
                return true;
            } catch (SQLException e) {
                return !broken(e);
            }
        }
    }

    /** Shuts the database down (if H2 has not), drops its pools and, on disk, its files. */
    @Override
    public void close() {
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN IMMEDIATELY");
        } catch (SQLException alreadyClosed) {
            // H2 closed it already: nothing left to shut down.
        }
        synchronized (probe) {
            try {
                probe.close();
            } catch (SQLException alreadyClosed) {
                // closed with the database
            }
        }
        readers.dispose();
        admin.dispose();
        if (file != null) {
            try {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".mv.db"));
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".trace.db"));
            } catch (IOException e) {
                throw new IllegalStateException("could not delete the old H2 view's files " + file, e);
            }
        }
    }
}
