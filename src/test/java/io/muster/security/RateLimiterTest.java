package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-token bucket on a fake clock: a burst, then the rate, with an honest wait, per token. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(10, 3, now::get);

    @Test
    void aBurstThenTheRateAndEachTokenHasItsOwnBucket() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("a")).as("burst request " + i).isZero();
        }
        long wait = limiter.acquire("a");
        assertThat(wait).isPositive().isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(limiter.acquire("b")).as("another token").isZero();

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(limiter.acquire("a")).as("one permit after 1/rate").isZero();
        assertThat(limiter.acquire("a")).isPositive();

        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("a")).as("the bucket refills only up to the burst").isZero();
        }
        assertThat(limiter.acquire("a")).isPositive();
    }
}
