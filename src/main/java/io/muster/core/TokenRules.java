package io.muster.core;

import java.util.List;

/**
 * The rules for tokens and for the author of a command, checked at the API and again in apply like
 * every {@link CommandRules} rule.
 */
public final class TokenRules {

    public static final int MAX_NAME_LENGTH = 64;
    public static final int MAX_PREFIXES = 16;
    public static final int MAX_SERVICES = 16;
    public static final int MAX_REQUEST_ID_LENGTH = 128;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    public static final long MAX_IDEMPOTENCY_WINDOW_MILLIS = 24L * 60 * 60 * 1000;

    private TokenRules() {
    }

    /** Returns why {@code name} cannot name a token, or {@code null}: 1–64 of {@code a-z 0-9 . _ -}, starting with a letter or digit. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return "token name must be 1.." + MAX_NAME_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
                return "token name must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit";
            }
        }
        return null;
    }

    /** Returns why {@code prefixes} cannot scope a token of {@code role}, or {@code null}. */
    public static String prefixesProblem(Role role, List<String> prefixes) {
        if (prefixes.isEmpty()) {
            return null;
        }
        if (role == Role.ADMIN) {
            return "an admin token cannot be confined to prefixes";
        }
        if (prefixes.size() > MAX_PREFIXES) {
            return "a token may have at most " + MAX_PREFIXES + " prefixes";
        }
        for (String prefix : prefixes) {
            if (prefix == null || prefix.isEmpty()) {
                return "a token's prefixes must not be empty (leave prefixes out for all keys)";
            }
            String problem = Keys.prefixProblem(prefix);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    static String problem(Command.CreateToken create) {
        if (create.secretHash().length != Token.HASH_BYTES) {
            return "a token's secret hash must be " + Token.HASH_BYTES + " bytes";
        }
        String problem = nameProblem(create.name());
        if (problem == null) {
            problem = prefixesProblem(create.role(), create.prefixes());
        }
        return problem != null ? problem : servicesProblem(create.role(), create.services());
    }

    /** Returns why {@code services} cannot scope a token of {@code role}, or {@code null}. */
    public static String servicesProblem(Role role, List<String> services) {
        if (services.isEmpty()) {
            return null;
        }
        if (role == Role.ADMIN) {
            return "an admin token cannot be confined to services";
        }
        if (services.size() > MAX_SERVICES) {
            return "a token may have at most " + MAX_SERVICES + " services";
        }
        if (services.stream().distinct().count() != services.size()) {
            return "a token's services must not repeat";
        }
        for (String service : services) {
            String problem = Token.ANY_SERVICE.equals(service) ? null : InstanceRules.serviceProblem(service);
            if (problem != null) {
                return "services: " + problem;
            }
        }
        return null;
    }

    static String problem(Command.Authored authored) {
        if (!authored.principal().equals(Command.Authored.ANONYMOUS)) {
            String problem = nameProblem(authored.principal());
            if (problem != null) {
                return "principal: " + problem;
            }
        }
        String problem = requestIdProblem(authored.requestId());
        if (problem == null && authored.idempotent()) {
            problem = idempotencyKeyProblem(authored.idempotencyKey());
            if (problem == null && (authored.idempotencyWindowMillis() < 1
                    || authored.idempotencyWindowMillis() > MAX_IDEMPOTENCY_WINDOW_MILLIS)) {
                problem = "the idempotency window must be within 1 ms..24 h";
            }
        }
        return problem;
    }

    /** Returns why {@code key} cannot be an Idempotency-Key, or {@code null}: 1–255 printable ASCII characters. */
    public static String idempotencyKeyProblem(String key) {
        return asciiProblem("Idempotency-Key", key, MAX_IDEMPOTENCY_KEY_LENGTH, ' ', "printable ASCII");
    }

    /** Returns why {@code requestId} cannot identify a request, or {@code null}: 1–128 printable ASCII characters. */
    public static String requestIdProblem(String requestId) {
        return asciiProblem("request id", requestId, MAX_REQUEST_ID_LENGTH, '!', "printable ASCII without spaces");
    }

    /** Why {@code value} is not 1..{@code max} characters from {@code lowest} to '~', or {@code null}. */
    private static String asciiProblem(String what, String value, int max, char lowest, String allowed) {
        if (value == null || value.isEmpty() || value.length() > max) {
            return what + " must be 1.." + max + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < lowest || c > 0x7e) {
                return what + " must be " + allowed;
            }
        }
        return null;
    }
}
