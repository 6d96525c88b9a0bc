package io.muster.view;

import java.util.List;
import java.util.Set;

/**
 * The first line of defence for operators' SQL: one {@code SELECT} (or {@code WITH … SELECT}) over the
 * view's tables that can neither write, reach outside the view, construct Java objects, nor make H2 spend
 * memory or CPU out of proportion to the view. It reads the statement with {@link SqlTokenizer} and
 * checks the tokens against allow-lists ({@link SqlAllowList}): tables and columns, the words of a
 * {@code SELECT}, cheap functions and ordinary {@code CAST} types, with bounds on literals, nesting,
 * joins, concatenation and {@code LIKE} patterns ({@link SqlStatementCheck} has the rules). The second
 * line is the H2 user the query runs as, which may only {@code SELECT} from the view's tables; the
 * third, H2's own settings ({@link H2Hardening}, {@link ViewDatabase}). Pure: answers why a statement
 * (or its parameters) is refused, or {@code null}.
 */
final class SqlGuard {

    static final int MAX_LENGTH = 4096;
    /** The longest string, binary or quoted-name literal: values belong in parameters. */
    static final int MAX_LITERAL_LENGTH = 256;
    /** The longest text parameter (a key is at most 512 characters). */
    static final int MAX_PARAMETER_LENGTH = 1024;
    /** SELECTs in one statement: subqueries, CTEs and set operations included. */
    static final int MAX_SELECTS = 8;
    /** Tables (and CTEs) named in FROM and JOIN, over the whole statement. */
    static final int MAX_TABLE_REFERENCES = 4;
    /** {@code ||} operators and extra CONCAT arguments: each may double a value's length. */
    static final int MAX_CONCATENATIONS = 4;
    /** The largest size or precision in a CAST type: H2 pads CHAR(n) and BINARY(n) values to n. */
    static final int MAX_TYPE_SIZE = 1000;
    /** The largest exponent text may hold where H2 could read it as a number. */
    static final int MAX_TEXT_EXPONENT_DIGITS = 3;

    /**
     * The guard's answer: why the statement is refused ({@code null}: it may run), how many {@code ?}
     * parameters it has, and which of them (0-based) are {@code LIKE} patterns.
     */
    record Verdict(String problem, int parameters, Set<Integer> likeParameters) {

        static Verdict refused(String problem) {
            return new Verdict(problem, 0, Set.of());
        }
    }

    private SqlGuard() {
    }

    /** Why {@code sql} may not run, or {@code null} when it may. */
    static String problem(String sql) {
        return check(sql).problem();
    }

    /** The guard's verdict on {@code sql}. */
    static Verdict check(String sql) {
        if (sql == null || sql.isBlank()) {
            return Verdict.refused("sql is required");
        }
        if (sql.length() > MAX_LENGTH) {
            return Verdict.refused("sql is longer than " + MAX_LENGTH + " characters");
        }
        try {
            return new SqlStatementCheck(SqlTokenizer.tokens(sql, MAX_LITERAL_LENGTH)).verdict();
        } catch (SqlTokenizer.Refused e) {
            return Verdict.refused(e.getMessage());
        }
    }

    /**
     * Why the {@code parameters} of a statement that passed may not be used, or {@code null}: text longer
     * than {@link #MAX_PARAMETER_LENGTH}, or a {@code LIKE} pattern that {@link #likeProblem} refuses.
     */
    static String parameterProblem(Verdict verdict, List<Object> parameters) {
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i) instanceof String text) {
                if (text.length() > MAX_PARAMETER_LENGTH) {
                    return "params[" + i + "] is longer than " + MAX_PARAMETER_LENGTH + " characters";
                }
                String like = verdict.likeParameters().contains(i) ? likeProblem(text) : numericTextProblem(text);
                if (like != null) {
                    return "params[" + i + "]: " + like;
                }
            }
        }
        return null;
    }

    /**
     * Why text may not be used where H2 might read it as a number, or {@code null}: H2 turns text such as
     * {@code '1e600000000'} into a NUMERIC by building every digit before it checks the precision, which
     * no timeout interrupts. Text holding a digit (or point) followed by an exponent of more than
     * {@link #MAX_TEXT_EXPONENT_DIGITS} digits is refused.
     */
    static String numericTextProblem(String text) {
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            char before = text.charAt(i - 1);
            if ((c == 'e' || c == 'E') && ((before >= '0' && before <= '9') || before == '.')
                    && exponentDigits(text, i + 1) > MAX_TEXT_EXPONENT_DIGITS) {
                return "text that reads as a number with an exponent of more than " + MAX_TEXT_EXPONENT_DIGITS
                        + " digits is not allowed";
            }
        }
        return null;
    }

    private static int exponentDigits(String text, int from) {
        int at = from < text.length() && (text.charAt(from) == '+' || text.charAt(from) == '-') ? from + 1 : from;
        int digits = 0;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
            digits++;
        }
        return digits;
    }

    /**
     * Why a {@code LIKE} pattern may not be used, or {@code null}. H2 matches a pattern by backtracking
     * at every {@code %}, so k separate runs of {@code %} cost up to n^k steps on an n-character value
     * between two cancellation checks. One run is linear in the value times the pattern, and
     * {@code '%text%'} is matched as a substring search: those two shapes pass.
     */
    static String likeProblem(String pattern) {
        int runs = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '%' && (i == 0 || pattern.charAt(i - 1) != '%')) {
                runs++;
            }
        }
        if (runs <= 1) {
            return null;
        }
        int first = 0;
        int last = pattern.length();
        while (first < last && pattern.charAt(first) == '%') {
            first++;
        }
        while (last > first && pattern.charAt(last - 1) == '%') {
            last--;
        }
        String inner = pattern.substring(first, last);
        boolean substring = runs == 2 && first > 0 && last < pattern.length() && inner.indexOf('%') < 0
                && inner.indexOf('_') < 0 && inner.indexOf('\\') < 0;
        return substring ? null : "a LIKE pattern may hold one run of '%' (or be '%text%'), not " + runs;
    }
}
