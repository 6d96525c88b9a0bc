package io.muster.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits an operator's SQL into tokens the way H2 reads them, or refuses it: words (upper-cased),
 * quoted identifiers (unquoted), string and hex literals (their text), numbers, {@code ?} parameters
 * and operators; comments are refused. One pass over the characters, no regular expressions and no
 * recursion, so no input can overflow the stack. Anything H2 reads in a way this class does not (dollar
 * quoting, backticks, prefixed literals, unknown operators, non-ASCII outside quotes) is refused rather
 * than guessed at: where the two could disagree, this class sees more of the statement than H2 runs,
 * never less. Pure and stateless.
 */
final class SqlTokenizer {

    /** What a token is. */
    enum Kind { WORD, QUOTED, STRING, NUMBER, PARAMETER, SYMBOL }

    /** One token: its kind, its text (see {@link SqlTokenizer}) and where it starts in the statement. */
    record Token(Kind kind, String text, int position) {

        boolean is(Kind expected, String value) {
            return kind == expected && text.equals(value);
        }

        boolean isSymbol(String value) {
            return is(Kind.SYMBOL, value);
        }

        boolean isWord(String value) {
            return is(Kind.WORD, value);
        }

        /** A name a query may use: a word or a quoted identifier. */
        boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED;
        }
    }

    /** Why a statement cannot be read; its message is the refusal. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    static final int MAX_NUMBER_LENGTH = 30;
    private static final Set<String> TWO_CHARACTER_SYMBOLS = Set.of("<=", ">=", "<>", "!=", "||");
    private static final String ONE_CHARACTER_SYMBOLS = "(),.;*+-/%=<>";

    private final String sql;
    private final int maxLiteralLength;
    private final List<Token> tokens = new ArrayList<>();
    private int at;

    private SqlTokenizer(String sql, int maxLiteralLength) {
        this.sql = sql;
        this.maxLiteralLength = maxLiteralLength;
    }

    /** The tokens of {@code sql}, literals at most {@code maxLiteralLength} characters. */
    static List<Token> tokens(String sql, int maxLiteralLength) {
        SqlTokenizer tokenizer = new SqlTokenizer(sql, maxLiteralLength);
        tokenizer.run();
        return tokenizer.tokens;
    }

    private void run() {
        while (at < sql.length()) {
            char c = sql.charAt(at);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                at++;
            } else if (startsWith("--") || startsWith("//") || startsWith("/*")) {
                // H2 reads three kinds of comment (and nests the last); where its reading of one and ours
                // differ, the check would judge text H2 never runs, or miss text it does. So none is read.
                throw new Refused("comments are not allowed (at " + at + ")");
            } else if (c == '\'') {
                tokens.add(new Token(Kind.STRING, quoted('\'', "string literal"), at));
            } else if (c == '"') {
                tokens.add(new Token(Kind.QUOTED, quoted('"', "quoted identifier"), at));
            } else if ((c == 'X' || c == 'x') && at + 1 < sql.length() && sql.charAt(at + 1) == '\'') {
                at++;
                tokens.add(new Token(Kind.STRING, hex(quoted('\'', "binary literal")), at));
            } else if (isLetter(c)) {
                word();
            } else if (isDigit(c) || (c == '.' && at + 1 < sql.length() && isDigit(sql.charAt(at + 1)))) {
                number();
            } else if (c == '?') {
                parameter();
            } else {
                symbol(c);
            }
        }
    }

    private boolean startsWith(String prefix) {
        return sql.startsWith(prefix, at);
    }


    /** The text between {@code quote}s (a doubled quote is one), after checking its length. */
    private String quoted(char quote, String what) {
        int start = at;
        StringBuilder text = new StringBuilder();
        at++;
        while (true) {
            if (at >= sql.length()) {
                throw new Refused("unterminated " + what + " (from " + start + ")");
            }
            char c = sql.charAt(at++);
            if (c == quote) {
                if (at < sql.length() && sql.charAt(at) == quote) {
                    at++;
                } else {
                    break;
                }
            }
            text.append(c);
            if (text.length() > maxLiteralLength) {
                throw new Refused("a " + what + " is longer than " + maxLiteralLength + " characters (from " + start
                        + ")");
            }
        }
        return text.toString();
    }

    private static String hex(String digits) {
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                throw new Refused("a binary literal holds only hexadecimal digits");
            }
        }
        return digits;
    }

    private void word() {
        int start = at;
        while (at < sql.length() && (isLetter(sql.charAt(at)) || isDigit(sql.charAt(at)))) {
            at++;
        }
        String word = sql.substring(start, at).toUpperCase(Locale.ROOT);
        if (at < sql.length() && (sql.charAt(at) == '\'' || sql.charAt(at) == '&')) {
            throw new Refused("prefixed literals (" + word + "'...') are not allowed");
        }
        tokens.add(new Token(Kind.WORD, word, start));
    }

    /**
     * Digits and an optional fraction. No exponent: {@code 1e0} is a DECFLOAT in H2, and DECFLOAT
     * arithmetic with text such as {@code '1e600000000'} builds every digit, past any timeout.
     */
    private void number() {
        int start = at;
        digits();
        if (at < sql.length() && sql.charAt(at) == '.') {
            at++;
            digits();
        }
        if (at < sql.length() && (sql.charAt(at) == 'E' || sql.charAt(at) == 'e')) {
            throw new Refused("numbers with an exponent (1e3) are not allowed; write 1000 (at " + start + ")");
        }
        if (at < sql.length() && (isLetter(sql.charAt(at)) || sql.charAt(at) == '.')) {
            throw new Refused("malformed number at " + start);
        }
        if (at - start > MAX_NUMBER_LENGTH) {
            throw new Refused("a number is longer than " + MAX_NUMBER_LENGTH + " characters (at " + start + ")");
        }
        tokens.add(new Token(Kind.NUMBER, sql.substring(start, at), start));
    }

    private void digits() {
        while (at < sql.length() && isDigit(sql.charAt(at))) {
            at++;
        }
    }

    private void parameter() {
        if (at + 1 < sql.length() && isDigit(sql.charAt(at + 1))) {
            throw new Refused("numbered parameters (?1) are not allowed; use ? in order");
        }
        tokens.add(new Token(Kind.PARAMETER, "?", at++));
    }

    private void symbol(char c) {
        if (at + 1 < sql.length() && TWO_CHARACTER_SYMBOLS.contains(sql.substring(at, at + 2))) {
            tokens.add(new Token(Kind.SYMBOL, sql.substring(at, at + 2), at));
            at += 2;
        } else if (ONE_CHARACTER_SYMBOLS.indexOf(c) >= 0) {
            tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), at++));
        } else {
            String shown = c < ' ' || c > '~' ? String.format("U+%04X", (int) c) : "'" + c + "'";
            throw new Refused("the character " + shown + " is not allowed here (at " + at + ")");
        }
    }

    private static boolean isLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
