package io.muster.view;

import io.muster.view.SqlTokenizer.Kind;
import io.muster.view.SqlTokenizer.Refused;
import io.muster.view.SqlTokenizer.Token;
import java.math.BigDecimal;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bounds of {@link SqlGuard} that one statement is counted and measured against, for
 * {@link SqlStatementCheck}: how many {@code SELECT}s, table references and concatenations it has, its
 * {@code LIKE} patterns and numeric text, the sizes in its {@code CAST} types; and its {@code ?}
 * parameters, for the verdict. Each method refuses (throws {@link Refused}) as soon as a bound is
 * crossed. One instance per statement; not thread-safe.
 */
final class SqlBounds {

    private final Set<Integer> likeParameters = new TreeSet<>();
    private int selects;
    private int tableReferences;
    private int concatenations;
    private int parameters;

    /** The verdict on a statement that passed every check. */
    SqlGuard.Verdict verdict() {
        return new SqlGuard.Verdict(null, parameters, Set.copyOf(likeParameters));
    }

    void parameter() {
        parameters++;
    }

    void select() {
        if (++selects > SqlGuard.MAX_SELECTS) {
            throw new Refused("more than " + SqlGuard.MAX_SELECTS + " SELECTs in one statement");
        }
    }

    void tableReference() {
        if (++tableReferences > SqlGuard.MAX_TABLE_REFERENCES) {
            throw new Refused("more than " + SqlGuard.MAX_TABLE_REFERENCES + " tables in FROM and JOIN");
        }
    }

    void concatenations(int more) {
        concatenations += more;
        if (concatenations > SqlGuard.MAX_CONCATENATIONS) {
            throw new Refused("more than " + SqlGuard.MAX_CONCATENATIONS + " concatenations (|| or CONCAT arguments)");
        }
    }

    /** A string literal, which H2 may read as a number. */
    void numericText(String literal) {
        String problem = SqlGuard.numericTextProblem(literal);
        if (problem != null) {
            throw new Refused(problem);
        }
    }

    /**
     * The pattern after {@code LIKE} or {@code ILIKE} ({@code word}): {@code next}, followed by
     * {@code after}. A pattern H2 may backtrack on must be visible (a literal) or checked at run time (a
     * parameter, the next one counted).
     */
    void like(String word, Token next, Token after) {
        boolean simple = next != null && (next.kind() == Kind.STRING || next.kind() == Kind.PARAMETER)
                && (after == null || after.kind() != Kind.SYMBOL || after.isSymbol(")") || after.isSymbol(","));
        if (!simple) {
            throw new Refused("a " + word + " pattern must be a string literal or a ? parameter");
        }
        if (next.kind() == Kind.PARAMETER) {
            likeParameters.add(parameters);
            return;
        }
        String problem = SqlGuard.likeProblem(next.text());
        if (problem != null) {
            throw new Refused(problem);
        }
    }

    /** A size or precision in a {@code CAST} type. */
    void typeSize(Token number) {
        if (new BigDecimal(number.text()).compareTo(BigDecimal.valueOf(SqlGuard.MAX_TYPE_SIZE)) > 0) {
            throw new Refused("a CAST type's size or precision may be at most " + SqlGuard.MAX_TYPE_SIZE);
        }
    }
}
