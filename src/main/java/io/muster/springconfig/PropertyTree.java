package io.muster.springconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns flat property names ({@code a.b[0].c}, {@code map[some.key]}) back into nested maps and lists,
 * for the merged {@code .yml} and {@code .json} views. A name that is both a value and a parent
 * ({@code a=1} and {@code a.b=2}) keeps the parent: the nested form cannot hold both. A sparse list
 * (more gaps than items) is written as a map of its indexes: padded, a few names could make millions
 * of empty values.
 *
 * <p>Not thread-safe; one per rendering.
 */
final class PropertyTree {

    private final Map<String, Object> root = new TreeMap<>();

    /** Adds one property. */
    void put(String name, Object value) {
        List<Object> path = path(name);
        Object container = root;
        for (int i = 0; i < path.size() - 1; i++) {
            container = child(container, path.get(i), path.get(i + 1) instanceof Integer);
            if (container == null) {
                return;
            }
        }
        Object last = path.get(path.size() - 1);
        Object existing = get(container, last);
        if (!(existing instanceof Map<?, ?>) && !(existing instanceof ListBuilder)) {
            set(container, last, value);
        }
    }

    /** The tree, with lists as lists (gaps as empty values). */
    Map<String, Object> build() {
        @SuppressWarnings("unchecked")
        Map<String, Object> built = (Map<String, Object>) finish(root);
        return built;
    }

    private static Object finish(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> finished = new TreeMap<>();
            map.forEach((key, value) -> finished.put((String) key, finish(value)));
            return finished;
        }
        if (node instanceof ListBuilder list && !list.items.isEmpty() && list.items.lastKey() >= 2 * list.items.size() + 16) {
            Map<String, Object> sparse = new TreeMap<>();
            list.items.forEach((index, value) -> sparse.put(Integer.toString(index), finish(value)));
            return sparse;
        }
        if (node instanceof ListBuilder list) {
            List<Object> finished = new ArrayList<>();
            list.items.forEach((index, value) -> {
                while (finished.size() < index) {
                    finished.add("");
                }
                finished.add(finish(value));
            });
            return finished;
        }
        return node;
    }

    private static Object child(Object container, Object step, boolean listNext) {
        Object existing = get(container, step);
        if (existing instanceof Map<?, ?> || existing instanceof ListBuilder) {
            return existing;
        }
        Object created = listNext ? new ListBuilder() : new TreeMap<String, Object>();
        set(container, step, created);
        return created;
    }

    private static Object get(Object container, Object step) {
        if (container instanceof ListBuilder list) {
            return step instanceof Integer index ? list.items.get(index) : null;
        }
        return ((Map<?, ?>) container).get(String.valueOf(step));
    }

    @SuppressWarnings("unchecked")
    private static void set(Object container, Object step, Object value) {
        if (container instanceof ListBuilder list) {
            if (step instanceof Integer index) {
                list.items.put(index, value);
            }
            return;
        }
        ((Map<String, Object>) container).put(String.valueOf(step), value);
    }

    /** {@code a.b[0][x.y].c} as {@code [a, b, 0, x.y, c]}: numbers in brackets are list indexes. */
    static List<Object> path(String name) {
        List<Object> path = new ArrayList<>();
        StringBuilder segment = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '[') {
                if (!segment.isEmpty()) {
                    path.add(segment.toString());
                    segment.setLength(0);
                }
                if (c == '[') {
                    int close = name.indexOf(']', i);
                    if (close < 0) {
                        segment.append(name, i, name.length());
                        break;
                    }
                    String inside = name.substring(i + 1, close);
                    path.add(inside.matches("\\d{1,6}") ? (Object) Integer.valueOf(inside) : inside);
                    i = close;
                }
            } else {
                segment.append(c);
            }
        }
        if (!segment.isEmpty()) {
            path.add(segment.toString());
        }
        if (path.isEmpty()) {
            path.add(name);
        }
        return path;
    }

    private static final class ListBuilder {
        final TreeMap<Integer, Object> items = new TreeMap<>();
    }
}
