package io.muster.view;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.h2.api.ErrorCode;

/** Turns H2's answers to an operator's query into JSON-friendly values, and its errors into kinds. */
final class QueryResults {

    private QueryResults() {
    }

    /**
     * The most text a result may hold (values as JSON will carry them): the rows are held in memory until
     * they are written out, and a few rows of large values, or many of small ones, must not exhaust it.
     */
    static final long MAX_RESULT_CHARACTERS = 16L * 1024 * 1024;

    static View.QueryResult read(PreparedStatement statement, int maxRows, long revision) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            ResultSetMetaData meta = rows.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT));
            }
            List<List<Object>> values = new ArrayList<>();
            long characters = 0;
            boolean truncated = false;
            while (rows.next()) {
                if (values.size() == maxRows) {
                    truncated = true;
                    break;
                }
                List<Object> row = new ArrayList<>(columns.size());
                for (int i = 1; i <= columns.size(); i++) {
                    Object value = json(rows.getObject(i));
                    characters += value instanceof String text ? text.length() : 8;
                    if (characters > MAX_RESULT_CHARACTERS) {
                        throw new QueryException(QueryException.Kind.FAILED, "the result is larger than "
                                + MAX_RESULT_CHARACTERS / (1024 * 1024) + " MB; select fewer rows or columns");
                    }
                    row.add(value);
                }
                values.add(row);
            }
            return new View.QueryResult(List.copyOf(columns), values, revision, truncated);
        }
    }

    /** Numbers, booleans and strings as they are; bytes as base64; times and anything else as text. */
    private static Object json(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean || value instanceof String) {
            return value;
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof TemporalAccessor) {
            return value.toString();
        }
        return String.valueOf(value);
    }

    static QueryException translate(SQLException e) {
        int code = e.getErrorCode();
        String message = firstLine(e.getMessage());
        if (code == ErrorCode.STATEMENT_WAS_CANCELED) {
            return new QueryException(QueryException.Kind.TIMEOUT, "the query ran past its timeout and was cancelled");
        }
        if (code == ErrorCode.NOT_ENOUGH_RIGHTS_FOR_1 || code == ErrorCode.ADMIN_RIGHTS_REQUIRED) {
            return new QueryException(QueryException.Kind.NOT_ALLOWED, message);
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("42")) {
            return new QueryException(QueryException.Kind.INVALID, message);
        }
        return new QueryException(QueryException.Kind.FAILED, message);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "the query failed";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
