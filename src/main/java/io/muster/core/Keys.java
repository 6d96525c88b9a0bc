package io.muster.core;

import java.nio.charset.StandardCharsets;

/**
 * The rules for a key: 1–512 bytes, segments of {@code [A-Za-z0-9._~:@=+-]} separated by single
 * slashes, no leading or trailing slash, and no {@code .} or {@code ..} segment (HTTP clients
 * normalise those away, so such a key could never be addressed in a URL).
 *
 * <p>The same check runs at the API (to answer 400 before anything is proposed) and in apply (the
 * log may hold anything).
 */
public final class Keys {

    public static final int MAX_KEY_BYTES = 512;

    private Keys() {
    }

    /**
     * Whether {@code key} has a segment starting with {@code ~}: reserved for records of Muster's own
     * kept beside the data they govern (an application's release policy and schema, {@code config/{app}/~policy}),
     * which from cluster version 4 only administrators write or delete directly.
     */
    public static boolean reserved(String key) {
        return key.startsWith("~") || key.contains("/~");
    }

    /** Returns why {@code key} is not a valid key, or {@code null} when it is. */
    public static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "key must not be empty";
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return "key must be at most " + MAX_KEY_BYTES + " bytes";
        }
        if (key.charAt(0) == '/' || key.charAt(key.length() - 1) == '/') {
            return "key must not start or end with '/'";
        }
        int segmentStart = 0;
        for (int i = 0; i <= key.length(); i++) {
            if (i == key.length() || key.charAt(i) == '/') {
                String problem = segmentProblem(key, segmentStart, i);
                if (problem != null) {
                    return problem;
                }
                segmentStart = i + 1;
            } else if (!allowed(key.charAt(i))) {
                return "key contains '" + printable(key.charAt(i)) + "' at position " + i
                        + "; allowed are A-Z a-z 0-9 . _ ~ : @ = + - and '/' between segments";
            }
        }
        return null;
    }

    /** Returns why {@code prefix} is not usable as a key prefix, or {@code null}. Empty means all. */
    public static String prefixProblem(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String problem = problem(trimmed);
        return problem == null ? null : "prefix: " + problem;
    }

    private static String segmentProblem(String key, int start, int end) {
        if (start == end) {
            return "key must not contain empty segments ('//')";
        }
        String segment = key.substring(start, end);
        if (segment.equals(".") || segment.equals("..")) {
            return "key must not contain '.' or '..' segments";
        }
        return null;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == ':' || c == '@' || c == '=' || c == '+' || c == '-';
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
