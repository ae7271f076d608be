package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link AppMetrics.Recent}: the meters of one scrape share one stats walk (a walk of every open
 * connection, once per meter, was a third of the server's Java CPU at 19,000 streams).
 */
class RecentStatsTest {

    @Test
    void takesTheSourceOncePerWindow_andAgainAfterIt() {
        AtomicLong clock = new AtomicLong(1_000);
        AtomicInteger calls = new AtomicInteger();
        AppMetrics.Recent<Integer> recent = new AppMetrics.Recent<>(calls::incrementAndGet, Duration.ofMillis(100), clock::get);

        for (int i = 0; i < 45; i++) { // one scrape's meters
            assertEquals(1, recent.get());
        }
        clock.addAndGet(Duration.ofMillis(99).toNanos());
        assertEquals(1, recent.get(), "still inside the window");
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertEquals(2, recent.get(), "a new window takes a fresh value");
        assertEquals(2, recent.get());
        assertEquals(2, calls.get());
    }

    @Test
    void aClockAtAnyOrigin_evenNegative_takesTheFirstValueOnce() {
        AtomicLong clock = new AtomicLong(Long.MIN_VALUE + 5);
        AtomicInteger calls = new AtomicInteger();
        AppMetrics.Recent<Integer> recent = new AppMetrics.Recent<>(calls::incrementAndGet, Duration.ofMillis(100), clock::get);
        assertEquals(1, recent.get());
        assertEquals(1, recent.get());
        assertEquals(1, calls.get());
    }
}
