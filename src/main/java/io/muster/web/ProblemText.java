package io.muster.web;

import java.util.regex.Pattern;

/**
 * Makes text that came from a library (Jackson, H2, Tomcat) fit for a problem's {@code detail}: the
 * API promises that no detail names a Java class, since a client needs none and should learn nothing
 * of the code. Only for foreign text: the API's own details are written plain and may quote what the
 * client sent. Thread-safe: stateless.
 */
public final class ProblemText {

    /** A qualified class name ({@code java.io.EOFException}, {@code io.muster.x.Y$Z}), in backticks or not. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "`?\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(?:\\$[A-Za-z0-9_]+)*`?");
    /** A simple name that can only be a class: {@code IllegalStateException}, {@code LeaseController$Grant}. */
    private static final Pattern SIMPLE = Pattern.compile(
            "`?\\b[A-Z][A-Za-z0-9]*(?:Exception|Error|Controller)\\b(?:\\$[A-Za-z0-9_]+)*`?");
    /** What a removed name leaves behind: quotes or brackets around nothing but punctuation. */
    private static final Pattern LEFT_OVER = Pattern.compile(
            "\\([\\s:;,.]*(class)?[\\s:;,.]*\\)|\"[\\s:;,.]*\"|'[\\s:;,.]*'");

    private ProblemText() {
    }

    /** {@code text} without Java class names (and without what is left of their quotes); empty for {@code null}. */
    public static String plain(String text) {
        if (text == null) {
            return "";
        }
        String plain = SIMPLE.matcher(QUALIFIED.matcher(text).replaceAll("")).replaceAll("");
        plain = LEFT_OVER.matcher(plain).replaceAll("");
        return plain.replaceAll("\\s{2,}", " ").replaceAll("\\s+([,.;:])", "$1").replaceAll("([,:;])(\\s*[,:;])+", "$1")
                .replaceAll("[\\s,:;]+$", "").trim();
    }
}
