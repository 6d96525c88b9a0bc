package io.muster.view;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The JDBC the view's classes would otherwise spell out again and again: the statements that write a
 * table, made from its name and columns (so a statement's placeholders always match its columns), and
 * the loop that reads a query's rows into values. Stateless.
 */
final class Jdbc {

    private Jdbc() {
    }

    /** Turns the row a result set stands on into a value. */
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Takes the row a result set stands on. */
    interface RowHandler {
        void take(ResultSet row) throws SQLException;
    }

    /** {@code MERGE INTO table (columns) KEY (key) VALUES (?, …)}: one placeholder per column. */
    static PreparedStatement merge(Connection connection, String table, String columns, String key)
            throws SQLException {
        return connection.prepareStatement("MERGE INTO " + table + " (" + columns + ") KEY (" + key + ") VALUES ("
                + placeholders(columns) + ")");
    }

    /** {@code INSERT INTO table (columns) VALUES (?, …)}: one placeholder per column. */
    static PreparedStatement insert(Connection connection, String table, String columns) throws SQLException {
        return connection.prepareStatement("INSERT INTO " + table + " (" + columns + ") VALUES (" + placeholders(columns)
                + ")");
    }

    /** {@code DELETE FROM table WHERE k1 = ? AND k2 = ? …}, for the comma-separated {@code key}. */
    static PreparedStatement delete(Connection connection, String table, String key) throws SQLException {
        return connection.prepareStatement("DELETE FROM " + table + " WHERE " + String.join(" = ? AND ",
                key.split(", ")) + " = ?");
    }

    private static String placeholders(String columns) {
        return String.join(", ", Collections.nCopies(columns.split(",").length, "?"));
    }

    /** Hands each row {@code select} answers (with {@code parameters} bound, in order) to {@code handler}. */
    static void forEach(PreparedStatement select, RowHandler handler, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            select.setObject(i + 1, parameters[i]);
        }
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                handler.take(rows);
            }
        }
    }

    /** Every row {@code select} answers (with {@code parameters} bound), each mapped, in order. */
    static <T> List<T> list(PreparedStatement select, RowMapper<T> mapper, Object... parameters) throws SQLException {
        List<T> values = new ArrayList<>();
        forEach(select, row -> values.add(mapper.map(row)), parameters);
        return values;
    }

    /** Every row {@code sql} answers (with {@code parameters} bound), each mapped, in order. */
    static <T> List<T> list(Connection connection, String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            return list(select, mapper, parameters);
        }
    }
}
