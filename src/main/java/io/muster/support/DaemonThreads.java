package io.muster.support;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for Muster's own background threads: daemons (a stuck helper never keeps the JVM
 * from exiting; every owner still shuts its executor down when it stops), named so that a thread dump
 * or a profile says whose they are. Thread-safe.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Daemon threads all called {@code name}: for executors of one thread. */
    public static ThreadFactory named(String name) {
        return runnable -> daemon(runnable, name);
    }

    /** Daemon threads called {@code prefix-1}, {@code prefix-2}, ...: for pools. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> daemon(runnable, prefix + "-" + count.incrementAndGet());
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
