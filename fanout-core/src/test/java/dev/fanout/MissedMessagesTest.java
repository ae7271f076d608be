package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3: "a subscriber can always tell that it missed messages (a sequence jump plus a
 * count), for every lossy strategy on both engines". A subscriber takes a message, falls behind
 * by many, then reads: the sequence numbers it gets jump, and its drop count is exactly the
 * number of sequences it never got. A {@code disconnect} subscriber instead ends SLOW, its lag
 * and DISCONNECTED count saying how much it did not get.
 */
@Timeout(30)
class MissedMessagesTest {

    private static final int CAPACITY = 4;
    private static final int BEHIND = 30;

    static Stream<Arguments> lossyPairs() {
        return EngineType.supportedPairs().filter(a -> {
            StrategyType t = (StrategyType) a.get()[1];
            return t != StrategyType.SLOW_PRODUCER && t != StrategyType.ELASTIC_WORKERS;
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lossyPairs")
    void fallingBehind_showsAsASequenceJumpAndADropCount(EngineType engine, StrategyType type) {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(type.overflow(Duration.ZERO));
        hub.publish(1);
        assertEquals(1, sub.poll().orElseThrow().sequence());
        for (int m = 2; m <= 1 + BEHIND; m++) {
            hub.publish(m);
        }
        List<Long> got = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = sub.poll(); d.isPresent(); d = sub.poll()) {
            got.add(d.get().sequence());
        }
        // one more once it has caught up: under dropNewest the jump shows on the next message it gets
        if (!sub.isClosed()) {
            hub.publish(0);
            got.add(sub.poll().orElseThrow().sequence());
        }
        long published = hub.sequence();
        SubscriptionStats st = sub.stats();
        String who = engine + " " + type + " " + st + " got " + got;
        if (type == StrategyType.DISCONNECT) {
            assertEquals(Optional.of(CloseReason.SLOW), sub.closeReason(), who);
            assertTrue(st.disconnected() > 0, who);
            assertEquals(published - 1, st.lag(), who + ": lag from its last message");
            assertEquals(st.offered(), st.delivered() + st.disconnected() + st.depth(), who);
            return;
        }
        assertTrue(!got.isEmpty(), who);
        long jumps = 0;
        long prev = 1;
        for (long s : got) {
            assertTrue(s > prev, who + ": not increasing");
            jumps += s - prev - 1;
            prev = s;
        }
        assertTrue(jumps > 0, who + ": no sequence jump");
        assertTrue(st.dropped() > 0, who + ": no drop count");
        assertEquals(jumps, st.dropped(), who + ": the jumps are exactly what it counted as dropped");
        assertEquals(0, st.depth(), who);
        assertEquals(published, prev, who + ": caught up");
    }
}
