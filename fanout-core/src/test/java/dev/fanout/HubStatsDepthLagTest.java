package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link HubStats#depth()}, {@link HubStats#maxDepth()}, {@link HubStats#lag()} and
 * {@link HubStats#maxLag()}: over the attached subscriptions, equal to what their own stats say,
 * and the term that balances {@code offered == delivered + dropped + depth} at rest.
 */
class HubStatsDepthLagTest {

    @ParameterizedTest
    @EnumSource(EngineType.class)
    void depthAndLag_sumAndMaxOverTheAttachedSubscriptions(EngineType engine) {
        try (Hub<Integer> hub = engine.<Integer>hub().capacity(8).overflow(Overflow.dropOldest()).build()) {
            HubStats empty = hub.stats();
            assertAll(() -> assertEquals(0, empty.depth()), () -> assertEquals(0, empty.maxDepth()),
                    () -> assertEquals(0, empty.lag()), () -> assertEquals(0, empty.maxLag()));

            PullSubscription<Integer> reader = hub.subscribe();
            PullSubscription<Integer> idle = hub.subscribe();
            PullSubscription<Integer> gone = hub.subscribe();
            for (int i = 1; i <= 5; i++) {
                hub.publish(i);
            }
            reader.poll();
            reader.poll();
            gone.close(); // ended: its depth and lag leave the hub's, its 5 messages count as dropped

            HubStats h = hub.stats();
            assertAll(h::toString,
                    () -> assertEquals(reader.stats().depth() + idle.stats().depth(), h.depth(), "depth = sum over attached"),
                    () -> assertEquals(3 + 5, h.depth(), "3 left in reader, 5 in idle"),
                    () -> assertEquals(5, h.maxDepth()),
                    () -> assertEquals(reader.stats().lag() + idle.stats().lag(), h.lag(), "lag = sum over attached"),
                    () -> assertEquals(3 + 5, h.lag()),
                    () -> assertEquals(5, h.maxLag()),
                    () -> assertEquals(2, h.subscribers()),
                    () -> assertEquals(h.offered(), h.delivered() + h.dropped() + h.depth(), "the books balance at rest"));

            reader.drain((seq, m) -> { }, 10);
            idle.drain((seq, m) -> { }, 1);
            HubStats after = hub.stats();
            assertAll(after::toString,
                    () -> assertEquals(4, after.depth()),
                    () -> assertEquals(4, after.maxDepth()),
                    () -> assertEquals(4, after.lag()),
                    () -> assertEquals(4, after.maxLag()));
        }
    }
}
