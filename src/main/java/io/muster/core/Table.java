package io.muster.core;

/**
 * One domain of the store's state (keys, leases, instances, locks, tokens): it reads where the store
 * is in the log from {@link #now} and records what it changes in {@link #effects} as it changes it.
 */
abstract class Table {

    final Now now;
    final Effects effects;

    Table(Now now, Effects effects) {
        this.now = now;
        this.effects = effects;
    }
}
