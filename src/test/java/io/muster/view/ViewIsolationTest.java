package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The view's reads see one snapshot of every table: a change committed between a read of one table and
 * a read of another is invisible to both (with H2's REPEATABLE READ, the second table would show it,
 * and a history would report a view revision newer than its rows).
 */
class ViewIsolationTest {

    @Test
    void aReadSeesEveryTableAsOfItsFirstRead() throws SQLException {
        String url = "jdbc:h2:mem:view-isolation;DB_CLOSE_DELAY=-1";
        try (Connection writer = DriverManager.getConnection(url); Connection reader = DriverManager.getConnection(url);
                Statement write = writer.createStatement()) {
            write.execute("CREATE TABLE rows_read(v INT); CREATE TABLE status(v INT); "
                    + "INSERT INTO rows_read VALUES 1; INSERT INTO status VALUES 1");
            reader.setTransactionIsolation(View.ONE_SNAPSHOT);
            reader.setAutoCommit(false);
            assertThat(value(reader, "rows_read")).isEqualTo(1);
            write.execute("UPDATE rows_read SET v = 2; UPDATE status SET v = 2");
            assertThat(value(reader, "status")).as("the second table, read after the change").isEqualTo(1);
            reader.rollback();
            write.execute("DROP ALL OBJECTS");
        }
    }

    private static int value(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT v FROM " + table)) {
            row.next();
            return row.getInt(1);
        }
    }
}
