package io.muster.watch;

import io.muster.core.Applied;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.core.Entry;
import io.muster.core.Role;
import io.muster.core.Token;
import io.muster.core.Version;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Proves the cut-off of streams whose token loses its rights: a watcher whose sender runs behind apply
 * delivers every matching change before the revoke's revision and none at or after it, then a final
 * {@code revoked} problem; a token changed so that its prefixes no longer cover a watch ends that watch
 * ({@code forbidden}) and no other; a watcher or long poll registered after its token was revoked ends
 * at once; a waiting long poll fails with 401. Also that every stream gets heartbeats (a change sent
 * in the same drain stands in for one) and that a failed write gives the stream's slot back at once;
 * and that a stream of another kind ({@link WatchStream}) is kept alive and revoked alike.
 */
class RevokedStreamsTest {

    private static final byte[] SECRET = new byte[Token.HASH_BYTES];
    private static final Token READER = new Token("reader", SECRET, Role.READER, List.of(), 1, 0);

    private final Map<String, Token> tokens = new HashMap<>(Map.of("reader", READER));
    private final WatchHub hub = new WatchHub(100, 1 << 20, new SimpleMeterRegistry(), tokens::get);
    private final WatchMessages messages = new WatchMessages(JsonMapper.builder().build());
    /** The sender "threads": drains wait here until the test runs them, as a sender behind apply would. */
    private final Queue<Runnable> senders = new ArrayDeque<>();
    private final AtomicInteger released = new AtomicInteger();

    @Test
    void aWatcherBehindApplyDeliversWhatCameBeforeTheRevokeAndNothingAtOrAfterIt() {
        RecordingEmitter emitter = open(WatchFilter.prefix("app/"), READER, 2);
        hub.applied(Applied.keys(2, List.of(put("app/a", 2))));
        hub.applied(Applied.keys(3, List.of(put("app/b", 3))));
        applyTokenChange(4, new Applied.TokenChange("reader", null));
        hub.applied(Applied.keys(5, List.of(put("app/c", 5))));

        runSenders();

        assertThat(emitter.events()).containsExactly("change 2", "change 3", "revoked");
        assertThat(emitter.last()).contains("urn:muster:problem:unauthorized").contains("\"status\":401")
                .contains("revoked at revision 4").contains("\"revision\":4");
        assertThat(emitter.completed).isTrue();
        assertThat(released).hasValue(1);
        assertThat(hub.watcherCount()).isZero();
    }

    @Test
    void aTokenNarrowedAwayFromAWatchEndsThatWatchOnly() {
        RecordingEmitter outside = open(WatchFilter.prefix("app/"), READER, 2);
        RecordingEmitter inside = open(WatchFilter.key("team/x"), READER, 2);
        RecordingEmitter service = open(WatchFilter.service("web"), READER, 2);
        runSenders();
        Token narrowed = new Token("reader", SECRET, Role.READER, List.of("team/"), 3, 0);

        applyTokenChange(3, new Applied.TokenChange("reader", narrowed));
        hub.applied(Applied.keys(4, List.of(put("app/a", 4), put("team/x", 4))));
        runSenders();

        assertThat(outside.events()).containsExactly("progress 1", "revoked");
        assertThat(outside.last()).contains("urn:muster:problem:forbidden").contains("confined to key prefixes");
        assertThat(service.events()).containsExactly("progress 1", "revoked");
        assertThat(inside.events()).containsExactly("progress 1", "change 4");
        assertThat(inside.completed).isFalse();
    }

    @Test
    void anotherTokensChangeEndsNothing() {
        RecordingEmitter emitter = open(WatchFilter.prefix("app/"), READER, 2);

        applyTokenChange(2, new Applied.TokenChange("someone-else", null));
        hub.applied(Applied.keys(3, List.of(put("app/a", 3))));
        runSenders();

        assertThat(emitter.events()).containsExactly("change 3", "progress 3");
    }

    @Test
    void aWatcherRegisteredAfterItsTokenWasRevokedEndsBeforeDeliveringAnything() {
        hub.applied(Applied.keys(2, List.of(put("app/a", 2))));
        tokens.remove("reader"); // revoked between the request's authentication and the watcher's registration

        RecordingEmitter emitter = open(WatchFilter.prefix("app/"), READER, 1);
        runSenders();

        assertThat(emitter.events()).containsExactly("revoked");
        assertThat(hub.watcherCount()).isZero();
    }

    @Test
    void aWaitingLongPollFailsWithUnauthorizedWhenItsTokenIsRevoked() {
        assertThat(hub.revocationNow(READER, WatchFilter.key("app/a"))).as("the check after a long poll's read")
                .isNull();
        CompletableFuture<Long> waiting = hub.changedAfter(WatchFilter.key("app/a"), READER, 1);
        CompletableFuture<Long> other = hub.changedAfter(WatchFilter.key("app/a"), null, 1);

        applyTokenChange(2, new Applied.TokenChange("reader", null));

        assertThat(waiting).as("the long poll of the revoked token").isCompletedExceptionally();
        assertThatThrownBy(waiting::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(ProblemException.class, problem -> {
                    assertThat(problem.type()).isEqualTo(ProblemType.UNAUTHORIZED);
                    assertThat(problem.headers()).containsKey("WWW-Authenticate");
                    assertThat(problem.properties()).containsEntry("revision", 2L);
                });
        assertThat(other).as("a long poll of a node without security").isNotDone();
        assertThat(hub.revocationNow(READER, WatchFilter.key("app/a")).type()).isEqualTo(ProblemType.UNAUTHORIZED);
    }

    @Test
    void aLongPollRegisteredAfterItsTokenWasRevokedFailsAtOnce() {
        tokens.put("reader", new Token("reader", new byte[] {1}, Role.READER, List.of(), 5, 0)); // another secret

        CompletableFuture<Long> waiting = hub.changedAfter(WatchFilter.key("app/a"), READER, 1);

        assertThat(waiting).isCompletedExceptionally();
    }

    @Test
    void everyHeartbeatWritesToTheStreamUnlessItsDrainSendsAChangeAnyway() {
        RecordingEmitter idle = open(WatchFilter.prefix("idle/"), READER, 2);
        RecordingEmitter busy = open(WatchFilter.prefix("busy/"), READER, 2);
        runSenders();
        List<WatchStream> watchers = new ArrayList<>(hub.streams());

        watchers.forEach(WatchStream::heartbeat);
        runSenders();
        hub.applied(Applied.keys(2, List.of(put("busy/a", 2))));
        watchers.forEach(WatchStream::heartbeat);
        runSenders();

        assertThat(idle.events()).containsExactly("progress 1", "heartbeat", "heartbeat");
        assertThat(busy.events()).containsExactly("progress 1", "heartbeat", "change 2");
    }

    @Test
    void aWriteThatFailsGivesTheSlotBackAtOnce() {
        RecordingEmitter gone = open(WatchFilter.prefix("app/"), READER, 2);
        gone.failing = true;

        hub.applied(Applied.keys(2, List.of(put("app/a", 2))));
        runSenders();

        assertThat(released).hasValue(1);
        assertThat(hub.watcherCount()).isZero();
    }

    @Test
    void aStreamOfAnotherKindIsKeptAliveRevokedAndCountedLikeAWatcher() {
        RecordingEmitter emitter = new RecordingEmitter();
        WatchStream other = new WatchStream(new WatchStream.Opening(hub, READER, emitter, senders::add, messages,
                released::incrementAndGet, Watches.Heartbeat.ENVIRONMENT)) {
            @Override
            protected String denial(Token now) {
                return io.muster.core.Access.keyDenial(now, "config/orders/default");
            }

            @Override
            protected boolean deliver() throws IOException {
                return sendDue(false, hub.revision());
            }

            @Override
            protected boolean pending() {
                return false;
            }
        };
        hub.register(other);
        other.wake();
        runSenders();
        assertThat(hub.watcherCount()).isEqualTo(1);
        hub.streams().forEach(WatchStream::heartbeat);
        runSenders();

        applyTokenChange(2, new Applied.TokenChange("reader",
                new Token("reader", SECRET, Role.READER, List.of("app/"), 2, 0)));
        runSenders();

        assertThat(emitter.events()).containsExactly("progress 0", "heartbeat", "revoked");
        assertThat(emitter.last()).contains("urn:muster:problem:forbidden").contains("config/orders/default");
        assertThat(released).hasValue(1);
        assertThat(hub.watcherCount()).isZero();
    }

    private RecordingEmitter open(WatchFilter filter, Token token, long from) {
        RecordingEmitter emitter = new RecordingEmitter();
        Executor queued = senders::add;
        Watcher watcher = new Watcher(new WatchStream.Opening(hub, token, emitter, queued, messages,
                released::incrementAndGet, Watches.Heartbeat.WATCH), filter, from);
        hub.register(watcher);
        watcher.wake();
        return emitter;
    }

    private void applyTokenChange(long revision, Applied.TokenChange change) {
        if (change.token() == null) {
            tokens.remove(change.name());
        } else {
            tokens.put(change.name(), change.token());
        }
        hub.applied(new Applied(revision, null, List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(change), null));
    }

    private void runSenders() {
        for (int round = 0; round < 100 && !senders.isEmpty(); round++) {
            senders.poll().run();
        }
        assertThat(senders).as("drains left after 100 rounds").isEmpty();
    }

    /** An emitter that keeps what was sent as text, or fails every send like a closed connection. */
    private static final class RecordingEmitter extends SseEmitter {
        private final List<String> sent = new ArrayList<>();
        private volatile boolean failing;
        private volatile boolean completed;

        @Override
        public void send(SseEventBuilder builder) throws IOException {
            if (failing) {
                throw new IOException("Broken pipe");
            }
            sent.add(builder.build().stream().map(part -> String.valueOf(part.getData()))
                    .collect(Collectors.joining()));
        }

        @Override
        public void complete() {
            completed = true;
        }

        /** Each message as "event id" ("heartbeat" for a comment). */
        List<String> events() {
            List<String> events = new ArrayList<>();
            for (String message : sent) {
                String event = field(message, "event:");
                String id = field(message, "id:");
                events.add(event == null ? "heartbeat" : id == null ? event : event + " " + id);
            }
            return events;
        }

        String last() {
            return sent.get(sent.size() - 1);
        }

        private static String field(String message, String name) {
            for (String line : message.split("\n")) {
                if (line.startsWith(name)) {
                    return line.substring(name.length()).strip();
                }
            }
            return null;
        }
    }

    private static Applied.Change put(String key, long revision) {
        return new Applied.Change(key, new Entry(key, revision,
                new Version(new byte[] {1}, "application/octet-stream", revision, 1, 0), List.of()));
    }
}
