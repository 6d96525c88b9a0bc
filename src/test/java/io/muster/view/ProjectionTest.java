package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.Applied;
import io.muster.core.Applied.Audit;
import io.muster.core.Command;
import io.muster.core.KvStore;
import io.muster.core.Stamp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The projection over a real in-memory H2 database with the view's schema. */
class ProjectionTest {

    private static final int AUDIT_ROWS = 100;

    private Connection connection;
    private Projection projection;
    private long watermark;

    @BeforeEach
    void open() throws SQLException {
        connection = DriverManager.getConnection("jdbc:h2:mem:projection-test-" + UUID.randomUUID(), "sa", "");
        try (var statement = connection.createStatement()) {
            statement.execute("RUNSCRIPT FROM 'classpath:schema.sql'");
        }
        projection = new Projection(connection, AUDIT_ROWS);
    }

    @AfterEach
    void close() throws Exception {
        projection.close();
        connection.close();
    }

    @Test
    void valuesReadBackFromBothTablesAsWritten() throws SQLException {
        KvStore store = new KvStore();
        byte[] value = "{\"replicas\":3}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        store.apply(1, new Stamp(1_000, 10), new Command.Put("config/app", value, "application/json", 0, 0));
        projection.apply(List.of(new Projection.Event(Applied.keys(1,
                List.of(new Applied.Change("config/app", store.get("config/app")))), 0)), 0);
        try (var statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT e.value_bytes, h.value_bytes FROM entries e "
                        + "JOIN entry_history h ON h.entry_key = e.entry_key WHERE e.entry_key = 'config/app'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getBytes(1)).isEqualTo(value);
            assertThat(rows.getBytes(2)).isEqualTo(value);
            assertThat(rows.next()).isFalse();
        }
    }

    @Test
    void theAuditTrailKeepsTheNewestRecords() throws SQLException {
        // A trim runs after every AUDIT_ROWS / 10 records added: batches of that size trim each time.
        for (int batch = 0; batch < 100; batch++) {
            List<Projection.Event> events = new ArrayList<>();
            for (int i = 0; i < AUDIT_ROWS / 10; i++) {
                long revision = watermark + 1 + i;
                events.add(new Projection.Event(new Applied(revision, null, List.of(), List.of(), List.of(), List.of(),
                        List.of(), List.of(), new Audit("bench", "request-" + revision, "kv.put", "k" + revision, "ok", revision)), 0));
            }
            projection.apply(events, watermark);
            watermark += events.size();
        }
        try (var statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*), MIN(revision), MAX(revision) FROM audit")) {
            rows.next();
            assertThat(watermark).isEqualTo(1000);
            assertThat(rows.getLong(1)).isEqualTo(AUDIT_ROWS);
            assertThat(rows.getLong(2)).isEqualTo(watermark - AUDIT_ROWS + 1);
            assertThat(rows.getLong(3)).isEqualTo(watermark);
        }
    }
}
