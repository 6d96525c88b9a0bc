package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.MusterProperties;
import io.muster.core.Applied;
import io.muster.core.KvStore;
import io.muster.replication.AppliedChanges;
import io.muster.replication.AppliedIndex;
import io.muster.replication.LeaderQueries;
import io.muster.replication.ReplicatedState;
import io.muster.replication.StateDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The projector's batch delay: a change waits out {@code muster.view.batch-delay} before the view shows
 * it, unless a reader waits for it, which the projector answers at once (a {@code minRevision} read never
 * pays the delay).
 */
class ProjectorBatchDelayTest {

    private static final Duration DELAY = Duration.ofMillis(100);

    @TempDir
    Path dataDir;
    private View view;

    @BeforeEach
    void start() {
        MusterProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "muster.data-dir", dataDir.toString(), "muster.view.batch-delay", DELAY.toMillis() + "ms")))
                .bind("muster", MusterProperties.class).get();
        assertThat(properties.view().batchDelay()).isEqualTo(DELAY);
        view = new View(new StoreOnly(new KvStore()), properties, new SimpleMeterRegistry());
        view.start();
        awaitRevision(0); // rebuilt from the empty state
    }

    private void awaitRevision(long revision) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (view.revision() < revision && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(view.revision()).isEqualTo(revision);
    }

    @AfterEach
    void stop() {
        view.stop();
    }

    @Test
    void aLoneChangeWaitsOutTheDelay() {
        long started = System.nanoTime();
        view.applied(Applied.nothing(1));
        awaitRevision(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(DELAY);
    }

    @Test
    void aReaderWaitingForTheChangeCutsTheDelayShort() throws Exception {
        long started = System.nanoTime();
        view.applied(Applied.nothing(1));
        assertThat(view.reached(1).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DELAY);

        started = System.nanoTime();
        view.applied(Applied.nothing(2));
        assertThat(view.await(2, Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DELAY);
    }

    @Test
    void aReaderAlreadyWaitingWhenTheChangeArrivesIsNotKeptWaiting() throws Exception {
        var reached = view.reached(1);
        long started = System.nanoTime();
        view.applied(Applied.nothing(1));
        assertThat(reached.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DELAY);
    }

    /** The applied state as the view sees it: a store, read directly (a fake at the seam to the state machine). */
    private record StoreOnly(KvStore store) implements ReplicatedState {

        @Override
        public <T> T read(Function<KvStore, T> reader) {
            return reader.apply(store);
        }

        @Override
        public AppliedIndex appliedIndex() {
            return new AppliedIndex();
        }

        @Override
        public StateDigest digest() {
            throw new UnsupportedOperationException("not used by the view");
        }

        @Override
        public void answerLeaderQueries(LeaderQueries answerer) {
            throw new UnsupportedOperationException("not used by the view");
        }

        @Override
        public void subscribe(AppliedChanges follower) {
            throw new UnsupportedOperationException("not used by the view");
        }
    }
}
