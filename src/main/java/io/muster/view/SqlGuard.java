package io.muster.view;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first line of defence for operators' SQL: one {@code SELECT} (or {@code WITH … SELECT})
 * statement, nothing that writes, calls or reaches outside the view. The second line is the H2 user
 * the query runs as, which may only {@code SELECT} from the view's tables (H2's file and link
 * functions need administrator rights). Pure: answers why a statement is refused, or {@code null}.
 */
final class SqlGuard {

    static final int MAX_LENGTH = 4096;

    /**
     * Words that have no business in a read-only query over the view. ({@code SELECT … FOR UPDATE},
     * which would hold locks the projector waits on, is refused by {@code UPDATE}.)
     */
    private static final List<String> FORBIDDEN = List.of("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE",
            "TRUNCATE", "CREATE", "DROP", "ALTER", "GRANT", "REVOKE", "CALL", "EXECUTE", "SCRIPT", "RUNSCRIPT", "BACKUP",
            "SET", "SHUTDOWN", "CHECKPOINT", "COMMIT", "ROLLBACK", "SAVEPOINT", "COMMENT", "ANALYZE", "EXPLAIN",
            "FILE_READ", "FILE_WRITE", "CSVREAD", "CSVWRITE", "LINK_SCHEMA", "LINK_TABLE", "SESSION_USER",
            "DATABASE_PATH", "LOCK", "SLEEP", "DISK_SPACE_USED", "SIGNAL", "INFORMATION_SCHEMA");

    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    /** String literals, quoted identifiers and comments, removed before looking at words. */
    private static final Pattern LITERALS_AND_COMMENTS = Pattern.compile(
            "'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private SqlGuard() {
    }

    /** Why {@code sql} may not run, or {@code null} when it may. */
    static String problem(String sql) {
        if (sql == null || sql.isBlank()) {
            return "sql is required";
        }
        if (sql.length() > MAX_LENGTH) {
            return "sql is longer than " + MAX_LENGTH + " characters";
        }
        if (sql.contains("$$")) {
            return "dollar-quoted text is not allowed";
        }
        String code = LITERALS_AND_COMMENTS.matcher(sql).replaceAll(" ").trim();
        if (code.endsWith(";")) {
            code = code.substring(0, code.length() - 1).trim();
        }
        if (code.contains(";")) {
            return "only one statement may be sent";
        }
        Matcher words = WORD.matcher(code);
        if (!words.find()) {
            return "only a SELECT statement (or WITH ... SELECT) may be sent";
        }
        String first = words.group().toUpperCase(Locale.ROOT);
        if (!first.equals("SELECT") && !first.equals("WITH")) {
            return "only a SELECT statement (or WITH ... SELECT) may be sent, not " + first;
        }
        words.reset();
        while (words.find()) {
            String word = words.group().toUpperCase(Locale.ROOT);
            if (FORBIDDEN.contains(word)) {
                return "'" + word + "' is not allowed in a query";
            }
        }
        return null;
    }
}
