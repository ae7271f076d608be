package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of a {@link Lane}, written once and run over both kinds: a queue-engine lane
 * (over each buffer its strategy picks) and a ring cursor (in each ring mode). The hub publishes;
 * the test is the consumer and calls the lane directly, as a subscription's consumer does. What
 * {@link BufferContractTest} asks of the buffers, asked here of what a subscription really reads
 * from: capacity as asked, {@code held()} never above it (bar a disconnect subscriber, which is
 * ended for exceeding it), exact (sequence, message) pairs in increasing order, {@code drain}
 * within its limit, and {@code discard} returning what was held.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LaneContractTest {

    private static final int CAPACITY = 4;

    static List<org.junit.jupiter.params.provider.Arguments> pullPairs() {
        return EngineType.supportedPairs()
                .filter(a -> !((StrategyType) a.get()[1]).pushOnly())
                .toList();
    }

    private static Hub<Long> hub(EngineType engine, StrategyType strategy) {
        return engine.<Long>hub()
                .name("lane-contract")
                .capacity(CAPACITY)
                .overflow(strategy.overflow(Duration.ofMillis(1)))
                .singlePublisher()
                .build();
    }

    @SuppressWarnings("unchecked")
    private static AbstractSubscription<Long> pull(Hub<Long> hub) {
        return (AbstractSubscription<Long>) (Object) hub.subscribe();
    }

    private static int expectedCapacity(StrategyType strategy) {
        return strategy == StrategyType.LATEST_ONLY ? 1 : CAPACITY;
    }

    /** A message that is not its sequence number, so a mismatched pair shows. */
    private static long messageOf(long seq) {
        return seq * 11; // last digit (the latestPerKey key) differs for consecutive sequences
    }

    private static final class Collect extends Sink<Long> {
        final List<Delivery<Long>> got = new ArrayList<>();

        Collect(Ledger<Long> ledger) {
            super(ledger);
        }

        @Override
        void handle(long sequence, Long message) {
            got.add(new Delivery<>(sequence, message));
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("pullPairs")
    void aNewLaneIsEmpty_andHasTheCapacityAsked(EngineType engine, StrategyType strategy) {
        try (Hub<Long> hub = hub(engine, strategy)) {
            AbstractSubscription<Long> s = pull(hub);
            assertTrue(s.lane.isEmpty());
            assertEquals(0, s.lane.held());
            assertEquals(expectedCapacity(strategy), s.lane.capacity());
            assertNull(s.lane.poll(s));
            assertEquals(0, s.lane.drain(new Collect(s.ledger), 8, s));
            assertEquals(0, s.lane.discard(s));
        }
    }

    /** Within the capacity every strategy keeps everything, as exact pairs in order. */
    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("pullPairs")
    void withinCapacity_everythingArrivesExactlyAndInOrder(EngineType engine, StrategyType strategy) {
        try (Hub<Long> hub = hub(engine, strategy)) {
            AbstractSubscription<Long> s = pull(hub);
            int room = expectedCapacity(strategy);
            for (int round = 0; round < 5; round++) { // several rounds: the ring laps, buffers wrap
                long first = hub.sequence() + 1;
                for (int i = 0; i < room; i++) {
                    long seq = hub.sequence() + 1;
                    assertEquals(seq, hub.publish(messageOf(seq)));
                }
                assertEquals(room, s.lane.held(), "held after " + room + " publishes");
                assertFalse(s.lane.isEmpty());
                Delivery<Long> d = s.lane.poll(s);
                assertEquals(first, d.sequence());
                assertEquals(messageOf(first), d.message());
                Collect sink = new Collect(s.ledger);
                int drained = s.lane.drain(sink, room, s);
                assertEquals(room - 1, drained, "the rest, within the limit");
                for (int i = 0; i < drained; i++) {
                    Delivery<Long> g = sink.got.get(i);
                    assertEquals(first + 1 + i, g.sequence());
                    assertEquals(messageOf(first + 1 + i), g.message());
                }
                s.ledger.delivered(room, first + room - 1);
                assertTrue(s.lane.isEmpty());
                assertNull(s.lane.poll(s));
            }
        }
    }

    /**
     * Past the capacity, a lossy lane never holds more than its capacity and still hands out
     * exact pairs in increasing order; the strategies that keep the newest end on the last
     * message, {@code dropNewest} on the first ones.
     */
    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("pullPairs")
    void pastCapacity_heldNeverExceedsIt(EngineType engine, StrategyType strategy) {
        if (strategy == StrategyType.SLOW_PRODUCER || strategy == StrategyType.DISCONNECT) {
            return; // lossless: the publisher waits; disconnect: the lane ends (other tests)
        }
        try (Hub<Long> hub = hub(engine, strategy)) {
            AbstractSubscription<Long> s = pull(hub);
            int room = expectedCapacity(strategy);
            int published = CAPACITY * 3 + 1;
            for (int i = 0; i < published; i++) {
                long seq = hub.sequence() + 1;
                hub.publish(messageOf(seq));
                assertTrue(s.lane.held() <= room, "held " + s.lane.held() + " > capacity " + room);
            }
            long held = s.lane.held();
            List<Delivery<Long>> got = new ArrayList<>();
            Delivery<Long> d;
            while ((d = s.lane.poll(s)) != null) {
                got.add(d);
            }
            assertTrue(got.size() <= room && got.size() == held, "took " + got.size() + ", held " + held);
            long last = 0;
            for (Delivery<Long> g : got) {
                assertTrue(g.sequence() > last);
                assertEquals(messageOf(g.sequence()), g.message());
                last = g.sequence();
            }
            if (strategy == StrategyType.DROP_NEWEST) {
                assertEquals(room, last, "dropNewest keeps the first ones");
            } else {
                assertEquals(published, last, strategy + " keeps the newest");
            }
            if (!got.isEmpty()) {
                s.ledger.delivered(got.size(), last);
            }
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("pullPairs")
    void discardReturnsWhatWasHeld(EngineType engine, StrategyType strategy) {
        try (Hub<Long> hub = hub(engine, strategy)) {
            AbstractSubscription<Long> s = pull(hub);
            int room = expectedCapacity(strategy);
            for (int i = 0; i < room; i++) {
                long seq = hub.sequence() + 1;
                hub.publish(messageOf(seq));
            }
            int discarded = s.lane.discard(s);
            assertEquals(room, discarded);
            s.discarded(discarded); // counted, as a subscription counts what it discards
            assertTrue(s.lane.isEmpty());
            assertEquals(0, s.lane.held());
            assertNull(s.lane.poll(s));
            long next = hub.sequence() + 1;
            hub.publish(messageOf(next));
            Delivery<Long> d = s.lane.poll(s);
            assertEquals(next, d.sequence(), "the next message keeps its number after a discard");
            assertEquals(messageOf(next), d.message());
            s.ledger.delivered(1, next);
        }
    }
}
