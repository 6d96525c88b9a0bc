package io.muster.view;

import io.muster.view.SqlTokenizer.Refused;
import io.muster.view.SqlTokenizer.Token;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names one statement declares (CTEs, table and column aliases) and the names it uses, for
 * {@link SqlStatementCheck}. A used name is checked only at the end ({@link #checkUsed}), since an alias
 * may be declared after its use ({@code SELECT e.entry_key FROM entries e}); a name where H2 reads a
 * table is checked at once, against the view's tables and the CTEs declared so far. Upper case, as H2
 * folds unquoted names. One instance per statement; not thread-safe.
 */
final class SqlNames {

    private final Set<String> ctes = new HashSet<>();
    private final Set<String> aliases = new HashSet<>();
    private final List<Token> used = new ArrayList<>();

    void declareCte(Token name) {
        ctes.add(upper(name));
    }

    void declareAlias(Token name) {
        aliases.add(upper(name));
    }

    /** A name where H2 reads a table: one of the view's tables or a CTE the query declared. */
    void table(Token name) {
        String upper = upper(name);
        if (!SqlAllowList.TABLES.containsKey(upper) && !ctes.contains(upper)) {
            throw new Refused(name.text() + " is not a table of the view (tables: "
                    + String.join(", ", new TreeSet<>(SqlAllowList.TABLES.keySet())).toLowerCase(Locale.ROOT) + ")");
        }
    }

    /** A name used as a column, table or alias, checked by {@link #checkUsed}. */
    void use(Token name) {
        used.add(name);
    }

    /** Refuses the first used name that is neither the view's (a column or table) nor declared. */
    void checkUsed() {
        used.forEach(this::known);
    }

    private void known(Token name) {
        String upper = upper(name);
        if (!SqlAllowList.COLUMNS.contains(upper) && !SqlAllowList.TABLES.containsKey(upper) && !ctes.contains(upper)
                && !aliases.contains(upper)) {
            throw new Refused(name.text() + " is not a column or table of the view, nor a name the query declares");
        }
    }

    private static String upper(Token token) {
        return token.text().toUpperCase(Locale.ROOT);
    }
}
