package io.muster.core;

import java.util.List;

/**
 * One page of a range read, in key order.
 *
 * @param next the key to pass as {@code after} for the following page, {@code null} on the last page
 */
public record Page(List<Entry> items, String next) {

    public Page {
        items = List.copyOf(items);
    }
}
