package io.muster.watch;

import io.muster.support.DaemonThreads;
import io.muster.core.Command;
import io.muster.core.Token;
import io.muster.security.Caller;
import io.muster.wait.WaitingRequests;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Long polls for proxies and simple clients: a read that answers as soon as something newer than
 * {@code waitRevision} changed what it reads, or at its wait, half a second early so that a load
 * balancer with the same timeout does not cut it. No request thread waits: the answer is produced on
 * this class's threads when the change (or the time) comes.
 *
 * <p>A long poll whose token is revoked (or no longer allows what it reads) while it waits answers 401
 * (or 403) at once. Its token is checked again after its read, against the state at least as new as
 * the one read, so a revoke applied between the change that woke it and its read cannot let the read
 * through either.
 */
@Component
public class LongPolls implements DisposableBean {

    /** The longest a long poll may wait. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(5);
    private static final Duration EARLY = Duration.ofMillis(500);
    private static final Pattern WAIT = Pattern.compile("(\\d{1,6})(ms|s|m)?");

    private final WatchHub hub;
    private final WaitingRequests waiting;
    private final ExecutorService answers = Executors.newFixedThreadPool(4, DaemonThreads.named("muster-long-poll"));
    /** The waits of the polls that wait now. */
    private final Set<CompletableFuture<Long>> pending = ConcurrentHashMap.newKeySet();

    public LongPolls(WatchHub hub, WaitingRequests waiting) {
        this.hub = hub;
        this.waiting = waiting;
    }

    /**
     * Runs {@code read} once {@code filter} matches a change after {@code waitRevision}, or once
     * {@code wait} (less half a second) has passed. A poll that has to wait holds one of its caller's
     * wait slots until then; one whose change is there already answers without taking one.
     *
     * @throws ProblemException {@code rate-limited} (429) or {@code too-many-waits} (503) when the poll
     *                          would wait and the caller or the node has its most requests waiting
     */
    public <T> CompletableFuture<T> after(WatchFilter filter, long waitRevision, Duration wait, Supplier<T> read) {
        long millis = Math.max(0, wait.minus(EARLY).toMillis());
        Executor executor = answers;
        Caller caller = Caller.current();
        Token token = caller == null ? null : caller.token();
        CompletableFuture<Long> changed = hub.changedAfter(filter, token, waitRevision);
        Runnable slot = () -> { };
        if (!changed.isDone()) {
            try {
                slot = waiting.enter(caller == null ? Command.Authored.ANONYMOUS : caller.principal());
            } catch (ProblemException refused) {
                changed.cancel(false); // the hub forgets the wait
                throw refused;
            }
        }
        Runnable taken = slot;
        if (!changed.isDone()) {
            pending.add(changed);
            changed.whenComplete((revision, failure) -> pending.remove(changed));
        }
        CompletableFuture<T> answer = changed.completeOnTimeout(-1L, millis, TimeUnit.MILLISECONDS)
                .handleAsync((revision, revoked) -> answer(revoked, read, token, filter), executor);
        answer.whenComplete((value, failure) -> taken.run());
        return answer;
    }

    /** The read, unless the token lost its rights before it or by the time it is done. */
    private <T> T answer(Throwable revoked, Supplier<T> read, Token token, WatchFilter filter) {
        if (revoked instanceof ProblemException problem) {
            throw problem;
        }
        if (revoked != null) {
            throw new IllegalStateException("a long poll's wait failed", revoked);
        }
        T value = read.get();
        Revocation revocation = hub.revocationNow(token, filter);
        if (revocation != null) {
            throw revocation.problem();
        }
        return value;
    }

    /** Answers every waiting poll with {@code problem} at once. */
    void endAll(ProblemException problem) {
        pending.forEach(wait -> wait.completeExceptionally(problem));
    }

    /** Parses {@code wait} ({@code 30s}, {@code 500ms}, {@code 2m}; a bare number is seconds; default 30s). */
    public static Duration parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ofSeconds(30);
        }
        Matcher matcher = WAIT.matcher(wait.strip());
        if (!matcher.matches()) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "wait must be like 30s, 500ms or 2m, not '" + wait
                    + "'").with("field", "wait");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.compareTo(MAX_WAIT) > 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "wait must be at most " + MAX_WAIT.toMinutes()
                    + "m").with("field", "wait");
        }
        return duration;
    }

    /** Checks a {@code waitRevision} parameter. */
    public static long waitRevision(Long waitRevision) {
        if (waitRevision == null || waitRevision < 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "waitRevision must be a revision (0 or more)")
                    .with("field", "waitRevision");
        }
        return waitRevision;
    }

    @Override
    public void destroy() {
        answers.shutdownNow();
    }
}
