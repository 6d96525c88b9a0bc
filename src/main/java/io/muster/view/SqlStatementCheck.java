package io.muster.view;

import io.muster.view.SqlTokenizer.Kind;
import io.muster.view.SqlTokenizer.Refused;
import io.muster.view.SqlTokenizer.Token;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.h2.util.ParserUtil;

/**
 * Checks one statement's tokens against {@link SqlAllowList}, in one pass that tracks parentheses and
 * clauses (no grammar, no recursion): every word is a {@code SELECT} keyword, an allowed function, an
 * allowed {@code CAST} type, a table of the view where a table goes, or a column, table, CTE or alias
 * name; nothing is schema-qualified; and the bounds of {@link SqlGuard} hold ({@link SqlBounds} counts
 * them). Names the query declares (aliases, CTEs) are collected on the way and the names it uses are
 * checked against them at the end ({@link SqlNames}), since an alias may be declared after its use
 * ({@code SELECT e.entry_key FROM entries e}). A place H2
 * reads a table (after {@code FROM}, {@code JOIN}, a comma of a {@code FROM} list, or inside a
 * parenthesis there) accepts only the view's tables and the query's CTEs, so no alias can stand in
 * for another schema. One instance per statement; not thread-safe.
 */
final class SqlStatementCheck {

    private enum FrameKind { QUERY, TABLE, FUNCTION, CAST, COLUMNS, TYPE }

    private enum Clause { NONE, WITH, SELECT, FROM, OTHER }

    /** One level of parentheses (the statement itself is the outermost). */
    private static final class Frame {
        final FrameKind kind;
        final String function;
        Clause clause = Clause.NONE;
        boolean sawSelect;
        boolean typeMode;
        int commas;

        Frame(FrameKind kind, String function) {
            this.kind = kind;
            this.function = function;
        }
    }

    private static final Set<String> CLAUSES_AFTER_FROM = Set.of("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT",
            "OFFSET", "FETCH", "UNION", "INTERSECT", "EXCEPT", "MINUS");
    private static final Set<String> VALUE_KEYWORDS = Set.of("END", "NULL", "TRUE", "FALSE", "CURRENT_DATE",
            "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP");

    private final List<Token> tokens;
    private final Deque<Frame> frames = new ArrayDeque<>();
    private final SqlNames names = new SqlNames();
    private final SqlBounds bounds = new SqlBounds();
    private int index;
    private boolean tablePosition;
    private boolean aliasPosition;
    private boolean aliasAfterAs;
    private boolean cteExpected;
    private boolean columnListNext;
    private String callNext;

    SqlStatementCheck(List<Token> tokens) {
        int end = tokens.size();
        if (end > 0 && tokens.get(end - 1).isSymbol(";")) {
            end--;
        }
        this.tokens = tokens.subList(0, end);
    }

    SqlGuard.Verdict verdict() {
        try {
            check();
            return bounds.verdict();
        } catch (Refused e) {
            return SqlGuard.Verdict.refused(e.getMessage());
        }
    }

    private void check() {
        Token first = tokens.stream().filter(token -> !token.isSymbol("(")).findFirst().orElse(null);
        if (first == null || !(first.isWord("SELECT") || first.isWord("WITH"))) {
            throw new Refused("only a SELECT statement (or WITH ... SELECT) may be sent"
                    + (first == null ? "" : ", not " + first.text()));
        }
        frames.push(new Frame(FrameKind.QUERY, null));
        for (index = 0; index < tokens.size(); index++) {
            step(tokens.get(index));
        }
        if (frames.size() != 1) {
            throw new Refused("unbalanced parentheses");
        }
        names.checkUsed();
    }

    private void step(Token token) {
        Frame frame = frames.peek();
        if (frame.typeMode) {
            typeToken(token);
            return;
        }
        if (frame.kind == FrameKind.COLUMNS && !token.isName() && !token.isSymbol(",") && !token.isSymbol(")")) {
            // A column list (t(a, b), WITH c(a, b)) declares names; nothing else may hide in it.
            throw new Refused("a column list may hold only names, not " + token.text());
        }
        if (tablePosition && !token.isName() && !token.isSymbol("(")) {
            throw new Refused("a table of the view must follow FROM, JOIN or a comma there, not " + token.text());
        }
        boolean mayDeclare = aliasPosition;
        boolean afterAs = aliasAfterAs;
        aliasPosition = false;
        aliasAfterAs = false;
        switch (token.kind()) {
            case PARAMETER -> bounds.parameter();
            case STRING -> bounds.numericText(token.text());
            case SYMBOL -> symbol(token, frame);
            case WORD, QUOTED -> name(token, frame, mayDeclare, afterAs);
            default -> { } // numbers: the tokenizer bounded them
        }
    }

    // ---- symbols ----

    private void symbol(Token token, Frame frame) {
        switch (token.text()) {
            case "(" -> open();
            case ")" -> close();
            case "," -> comma(frame);
            case "||" -> bounds.concatenations(1);
            case ";" -> throw new Refused("only one statement may be sent");
            default -> { }
        }
    }

    private void open() {
        if (callNext != null) {
            frames.push(new Frame(callNext.equals("CAST") ? FrameKind.CAST : FrameKind.FUNCTION, callNext));
            callNext = null;
        } else if (columnListNext) {
            frames.push(new Frame(FrameKind.COLUMNS, null));
            columnListNext = false;
        } else if (tablePosition) {
            // A derived table, or a parenthesized join whose first item is again a table position.
            Frame table = new Frame(FrameKind.TABLE, null);
            Token next = peek(1);
            boolean query = next != null && (next.isWord("SELECT") || next.isWord("WITH") || next.isWord("VALUES"));
            tablePosition = !query;
            table.clause = query ? Clause.NONE : Clause.FROM;
            frames.push(table);
        } else {
            frames.push(new Frame(FrameKind.QUERY, null));
        }
    }

    private void close() {
        if (frames.size() == 1) {
            throw new Refused("unbalanced parentheses");
        }
        Frame closed = frames.pop();
        if (closed.kind == FrameKind.FUNCTION && SqlAllowList.CONCATENATIONS.contains(closed.function)) {
            bounds.concatenations(closed.commas);
        }
        aliasPosition = closed.kind == FrameKind.TABLE;
    }

    private void comma(Frame frame) {
        frame.commas++;
        if (frame.clause == Clause.FROM) {
            tablePosition = true;
        } else if (frame.clause == Clause.WITH) {
            cteExpected = true;
        }
    }

    // ---- names and words ----

    private void name(Token token, Frame frame, boolean mayDeclare, boolean afterAs) {
        Token next = peek(1);
        String word = token.kind() == Kind.WORD ? token.text() : null;
        if (cteExpected) {
            cteExpected = false;
            names.declareCte(token);
            columnListNext = next != null && next.isSymbol("(");
        } else if (tablePosition) {
            table(token, next);
        } else if (afterAs || frame.kind == FrameKind.COLUMNS) {
            declare(token, next);
        } else if (word != null && next != null && next.isSymbol("(") && SqlAllowList.FUNCTIONS.contains(word)) {
            call(token);
        } else if (word != null && SqlAllowList.KEYWORDS.contains(word)) {
            keyword(word, frame, next);
        } else if (mayDeclare || implicitColumnAlias(frame, next)) {
            declare(token, next);
        } else if (next != null && next.isSymbol("(")) {
            throw new Refused("function " + token.text() + " is not allowed");
        } else {
            use(token, next);
        }
    }

    private void table(Token token, Token next) {
        tablePosition = false;
        if (next != null && next.isSymbol(".")) {
            Token member = peek(2);
            throw new Refused("names in another schema are not allowed: " + token.text() + "."
                    + (member == null ? "" : member.text()));
        }
        if (next != null && next.isSymbol("(")) {
            throw new Refused("table functions are not allowed: " + token.text() + "(...)");
        }
        names.table(token);
        bounds.tableReference();
        aliasPosition = true;
    }

    private void declare(Token token, Token next) {
        names.declareAlias(token);
        columnListNext = next != null && next.isSymbol("(");
    }

    private void call(Token token) {
        Token previous = peek(-1);
        if (previous != null && previous.isSymbol(".")) {
            throw new Refused("qualified function names are not allowed: ." + token.text() + "(...)");
        }
        callNext = token.text();
    }

    private void keyword(String word, Frame frame, Token next) {
        switch (word) {
            case "SELECT" -> select(frame);
            case "FROM" -> from(frame);
            case "JOIN" -> {
                frame.clause = Clause.FROM;
                tablePosition = true;
            }
            case "FOR" -> {
                if (frame.kind != FrameKind.FUNCTION || !"SUBSTRING".equals(frame.function)) {
                    throw new Refused("FOR is allowed only in SUBSTRING(... FOR n); FOR UPDATE is not allowed");
                }
            }
            case "WITH" -> with(frame, next);
            case "AS" -> as(frame, next);
            case "LIKE", "ILIKE" -> bounds.like(word, next, peek(2));
            case "CAST" -> {
                if (next == null || !next.isSymbol("(")) {
                    throw new Refused("CAST must be followed by (");
                }
                callNext = "CAST";
            }
            default -> {
                if (CLAUSES_AFTER_FROM.contains(word)) {
                    frame.clause = Clause.OTHER;
                }
            }
        }
    }

    private void select(Frame frame) {
        frame.sawSelect = true;
        frame.clause = Clause.SELECT;
        bounds.select();
    }

    private void from(Frame frame) {
        if (frame.kind == FrameKind.FUNCTION && SqlAllowList.FROM_IN_ARGUMENTS.contains(frame.function)) {
            return;
        }
        if ((frame.kind == FrameKind.QUERY || frame.kind == FrameKind.TABLE) && frame.sawSelect) {
            frame.clause = Clause.FROM;
            tablePosition = true;
            return;
        }
        throw new Refused("FROM is allowed only after SELECT");
    }

    private void with(Frame frame, Token next) {
        Token previous = peek(-1);
        if (previous != null && (previous.isWord("ROWS") || previous.isWord("ROW") || previous.isWord("TIME")
                || previous.isWord("TIMESTAMP"))) {
            return; // FETCH ... WITH TIES; TIMESTAMP WITH TIME ZONE
        }
        if (next != null && next.isWord("RECURSIVE")) {
            throw new Refused("WITH RECURSIVE (a recursive CTE) is not allowed");
        }
        frame.clause = Clause.WITH;
        cteExpected = true;
    }

    private void as(Frame frame, Token next) {
        if (frame.kind == FrameKind.CAST) {
            frame.typeMode = true;
        } else if (!(frame.clause == Clause.WITH && next != null && next.isSymbol("("))) {
            aliasAfterAs = true;
        }
    }

    /** In a select list, a name right after an expression is that column's alias ({@code COUNT(*) n}). */
    private boolean implicitColumnAlias(Frame frame, Token next) {
        Token previous = peek(-1);
        if (frame.clause != Clause.SELECT || previous == null || (next != null
                && (next.isSymbol(".") || next.isSymbol("(")))) {
            return false;
        }
        return switch (previous.kind()) {
            case STRING, NUMBER, PARAMETER, QUOTED -> true;
            case WORD -> !SqlAllowList.KEYWORDS.contains(previous.text())
                    || VALUE_KEYWORDS.contains(previous.text());
            case SYMBOL -> previous.isSymbol(")");
        };
    }

    private void use(Token token, Token next) {
        if (token.kind() == Kind.WORD && ParserUtil.isKeyword(token.text(), false)) {
            throw new Refused(token.text() + " is not allowed here (an SQL keyword; quote a name that is one)");
        }
        if (next != null && next.isSymbol(".") && peek(2) != null && peek(2).isName() && peek(3) != null
                && peek(3).isSymbol(".")) {
            throw new Refused("names in another schema are not allowed: " + token.text() + "." + peek(2).text());
        }
        names.use(token);
    }

    // ---- CAST types ----

    private void typeToken(Token token) {
        if (token.kind() == Kind.NUMBER) {
            bounds.typeSize(token);
            return;
        }
        if (token.isSymbol(",") || (token.kind() == Kind.WORD && SqlAllowList.TYPES.contains(token.text()))) {
            return;
        }
        if (token.isSymbol("(")) {
            Frame size = new Frame(FrameKind.TYPE, null);
            size.typeMode = true;
            frames.push(size);
        } else if (token.isSymbol(")")) {
            close();
        } else {
            throw new Refused("CAST to " + token.text() + " is not allowed (types: "
                    + String.join(", ", new TreeSet<>(SqlAllowList.TYPES)) + ")");
        }
    }

    private Token peek(int offset) {
        int at = index + offset;
        return at >= 0 && at < tokens.size() ? tokens.get(at) : null;
    }
}
