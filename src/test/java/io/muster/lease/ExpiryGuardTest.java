package io.muster.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the mass-expiry guard's stated rule: it trips when more than the share of registered
 * instances would expire within the window, holds only leases that carry instances, lets go when the
 * count is back under the share or after the longest pause, and never trips on a small registry.
 */
class ExpiryGuardTest {

    private static final long S = 1_000_000_000L;

    private final ExpiryGuard guard = new ExpiryGuard(0.15, 60 * S, 10, 300 * S);

    @Test
    void aFewExpiriesPass() {
        ExpiryGuard.Decision decision = guard.decide(0, List.of(1L, 2L), Map.of(1L, 5, 2L, 5), 100);

        assertThat(decision.expire()).containsExactly(1L, 2L);
        assertThat(guard.paused()).isFalse();
    }

    @Test
    void expiriesAddUpWithinTheWindowAndTripTheGuard() {
        guard.decide(0, List.of(1L), Map.of(1L, 10), 100);
        ExpiryGuard.Decision decision = guard.decide(10 * S, List.of(2L, 3L), Map.of(2L, 6, 3L, 0), 90);

        assertThat(guard.paused()).isTrue();
        assertThat(decision.hold()).containsExactly(2L);
        assertThat(decision.expire()).as("a lease with no instances still expires").containsExactly(3L);
        assertThat(guard.trips()).isEqualTo(1);
    }

    @Test
    void theGuardLetsGoWhenRenewalsComeBack() {
        guard.decide(0, List.of(1L, 2L, 3L), Map.of(1L, 10, 2L, 10, 3L, 10), 100);
        assertThat(guard.paused()).isTrue();

        ExpiryGuard.Decision decision = guard.decide(S, List.of(3L), Map.of(3L, 10), 100);

        assertThat(guard.paused()).isFalse();
        assertThat(decision.expire()).containsExactly(3L);
    }

    @Test
    void theGuardLetsGoWhenNothingIsDueAnyMore() {
        guard.decide(0, List.of(1L), Map.of(1L, 50), 100);

        guard.decide(S, List.of(), Map.of(), 100);

        assertThat(guard.paused()).isFalse();
    }

    @Test
    void theGuardGivesUpAfterTheLongestPause() {
        guard.decide(0, List.of(1L), Map.of(1L, 50), 100);
        assertThat(guard.decide(299 * S, List.of(1L), Map.of(1L, 50), 100).hold()).containsExactly(1L);

        ExpiryGuard.Decision decision = guard.decide(300 * S, List.of(1L), Map.of(1L, 50), 100);

        assertThat(decision.expire()).containsExactly(1L);
        assertThat(guard.paused()).isFalse();
    }

    @Test
    void aSmallRegistryNeverTrips() {
        ExpiryGuard.Decision decision = guard.decide(0, List.of(1L), Map.of(1L, 9), 9);

        assertThat(decision.expire()).containsExactly(1L);
        assertThat(guard.paused()).isFalse();
    }

    @Test
    void expiriesOlderThanTheWindowNoLongerCount() {
        guard.decide(0, List.of(1L), Map.of(1L, 10), 100);

        guard.decide(61 * S, List.of(2L), Map.of(2L, 10), 90);

        assertThat(guard.paused()).isFalse();
    }
}
