package dev.fanout.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared stats value of a scrape: taken once per window, the window counted from when it was ready. */
class RecentTest {

    @Test
    void aWalkLongerThanTheWindow_isNotRepeatedByTheNextMeterOfTheSameScrape() {
        AtomicLong clock = new AtomicLong();
        AtomicInteger walks = new AtomicInteger();
        Recent<Integer> recent = new Recent<>(() -> {
            clock.addAndGet(3 * Recent.WINDOW_NANOS); // a walk of 300 ms on a loaded machine
            return walks.incrementAndGet();
        }, Recent.WINDOW_NANOS, clock::get);

        assertEquals(1, recent.get());
        clock.addAndGet(1_000_000); // the scrape's next meter, 1 ms later
        assertEquals(1, recent.get(), "the next meter walked again");
        clock.addAndGet(Recent.WINDOW_NANOS); // the next scrape
        assertEquals(2, recent.get());
        assertEquals(2, walks.get());
    }
}
