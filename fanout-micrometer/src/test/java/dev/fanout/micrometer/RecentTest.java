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
        clock.addAndGet(30 * Recent.WINDOW_NANOS); // the next scrape: ten times the walk after it
        assertEquals(2, recent.get());
        assertEquals(2, walks.get());
    }

    @Test
    void aLongWalk_widensTheWindowToTenTimesItsLength_andAShortOneNarrowsItAgain() {
        AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 5); // any origin: the window is a difference
        AtomicLong walk = new AtomicLong(2_000_000_000L); // 2 s: 100,000 streams on a loaded machine
        AtomicInteger walks = new AtomicInteger();
        Recent<Integer> recent = new Recent<>(() -> {
            clock.addAndGet(walk.get());
            return walks.incrementAndGet();
        }, Recent.WINDOW_NANOS, clock::get);

        assertEquals(1, recent.get());
        clock.addAndGet(19_000_000_000L); // 19 s after the walk ended: inside 10 x 2 s
        assertEquals(1, recent.get(), "walked again within ten times the last walk");
        walk.set(1_000_000L); // the next walk takes 1 ms
        clock.addAndGet(1_000_000_000L);
        assertEquals(2, recent.get(), "the widened window ends after ten times the walk");
        clock.addAndGet(Recent.WINDOW_NANOS - 1);
        assertEquals(2, recent.get(), "a 1 ms walk keeps the least window");
        clock.addAndGet(1);
        assertEquals(3, recent.get(), "the window narrowed back to the least");
    }
}
