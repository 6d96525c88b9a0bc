package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.MusterProperties;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.h2.api.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * Proves the view's database is the third line of defence: a Java deserialization that bypasses the
 * guard (SQL sent straight to H2 as the query user) fails and constructs nothing; the query user cannot
 * write; a database H2 closed is recognised as broken and never silently reopened empty; and the
 * guard's table and column allow-list is exactly the schema the database is created with.
 */
class ViewDatabaseTest {

    @TempDir
    Path dataDir;
    ViewDatabase database;

    @BeforeEach
    void create() {
        database = ViewDatabase.create(new MusterProperties.View(16, Duration.ofSeconds(5), 100, 1000,
                MusterProperties.View.Storage.MEMORY, DataSize.ofMegabytes(1), 2, DataSize.ofMegabytes(256), Duration.ZERO), dataDir, 0);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aJavaObjectIsNeverDeserializedEvenWhenTheGuardIsBypassed() throws Exception {
        String gadget = HexFormat.of().formatHex(Gadget.serialized(new Gadget()));
        try (Connection reader = database.reader(); Statement statement = reader.createStatement();
             ResultSet row = statement.executeQuery("SELECT CAST(X'" + gadget + "' AS JAVA_OBJECT), CAST(X'"
                     + gadget + "' AS OTHER)")) {
            row.next();
            assertThatThrownBy(() -> row.getObject(1)).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(ErrorCode.DESERIALIZATION_FAILED_1));
            assertThatThrownBy(() -> row.getObject(2, Object.class)).isInstanceOf(SQLException.class);
        }
        try (Connection reader = database.reader();
             PreparedStatement statement = reader.prepareStatement("SELECT CAST(? AS JAVA_OBJECT)")) {
            assertThatThrownBy(() -> statement.setObject(1, new Gadget())).isInstanceOf(SQLException.class);
        }
        assertThat(Gadget.CONSTRUCTED.get()).as("gadgets deserialized").isZero();
    }

    @Test
    void theQueryUserMayOnlyRead() throws SQLException {
        try (Connection reader = database.reader(); Statement statement = reader.createStatement()) {
            assertThatThrownBy(() -> statement.execute("DELETE FROM entries")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> statement.execute("SET JAVA_OBJECT_SERIALIZER NULL"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> statement.execute("SHUTDOWN")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void aClosedDatabaseIsBrokenAndNotReopenedEmpty() throws SQLException {
        assertThat(database.alive()).isTrue();
        try (Connection admin = database.admin(); Statement statement = admin.createStatement()) {
            statement.execute("SHUTDOWN IMMEDIATELY");
        }
        assertThat(database.alive()).isFalse();
        assertThatThrownBy(database::admin).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(ViewDatabase.broken((SQLException) e)).isTrue());
    }

    @Test
    void theGuardsTablesAndColumnsAreTheSchemas() throws SQLException {
        Map<String, Set<String>> schema = new HashMap<>();
        try (Connection admin = database.admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT table_name, column_name FROM information_schema.columns "
                     + "WHERE table_schema = 'PUBLIC'")) {
            while (rows.next()) {
                schema.computeIfAbsent(rows.getString(1).toUpperCase(Locale.ROOT), table -> new TreeSet<>())
                        .add(rows.getString(2).toUpperCase(Locale.ROOT));
            }
        }
        Map<String, Set<String>> allowed = new HashMap<>();
        SqlAllowList.TABLES.forEach((table, columns) -> allowed.put(table, new TreeSet<>(columns)));
        assertThat(allowed).isEqualTo(schema);
    }


}
