package io.muster.core;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The pinned one-byte codes of an enum on the wire, both ways: each constant has exactly one code,
 * codes are only ever added, and an unknown code is an {@link UndecodableException}. A table that
 * misses a constant fails when its class loads, so no constant can reach an encoder without a code.
 */
final class WireCodes<E extends Enum<E>> {

    private final String what;
    private final Map<E, Integer> codes;
    private final NavigableMap<Integer, E> values = new TreeMap<>();

    private WireCodes(Class<E> type, String what, List<Map.Entry<E, Integer>> pinned) {
        this.what = what;
        this.codes = new EnumMap<>(type);
        for (Map.Entry<E, Integer> entry : pinned) {
            if (codes.put(entry.getKey(), entry.getValue()) != null || values.put(entry.getValue(), entry.getKey()) != null) {
                throw new IllegalStateException(what + ": " + entry + " is pinned twice");
            }
        }
        if (codes.size() != type.getEnumConstants().length) {
            throw new IllegalStateException(what + ": every constant needs a code, only " + codes.keySet() + " have one");
        }
    }

    @SafeVarargs
    static <E extends Enum<E>> WireCodes<E> of(Class<E> type, String what, Map.Entry<E, Integer>... pinned) {
        return new WireCodes<>(type, what, List.of(pinned));
    }

    int code(E value) {
        return codes.get(value);
    }

    E value(int code) {
        E value = values.get(code);
        if (value == null) {
            throw new UndecodableException("unknown " + what + " " + code);
        }
        return value;
    }
}
