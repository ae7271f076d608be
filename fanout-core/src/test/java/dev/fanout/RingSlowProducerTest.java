package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code slowProducer} means one thing on both engines: the subscription holds at most its
 * capacity, and every publish that finds it full waits up to {@code maxWait} and then reports a
 * timeout for it, in its {@link PublishResult} and in the subscription's stats alike. Which
 * messages a full subscriber keeps differs: the queue engine keeps the oldest, the ring the
 * newest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingSlowProducerTest {

    private static final int CAPACITY = 4;

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_holdsItsCapacity_evenOnALargerRing(EngineType engine) {
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(64) : Engine.queues()).build();
        PullSubscription<Integer> sub = hub.subscriber().overflow(Overflow.slowProducer(Duration.ofMillis(1)))
                .capacity(CAPACITY).subscribe();
        List<Integer> depths = new ArrayList<>();
        for (int m = 1; m <= 20; m++) {
            publish(hub, m);
            depths.add(sub.stats().depth());
        }
        int deepest = depths.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertAll(engine + ": depth after each publish " + depths + ", " + sub.stats(),
                () -> assertEquals(CAPACITY, sub.capacity(), "capacity()"),
                () -> assertTrue(deepest <= CAPACITY, "depth " + deepest + " exceeds the capacity " + CAPACITY),
                () -> assertEquals(CAPACITY, pollAll(sub).size(), "messages held"));
    }

    /**
     * A subscriber that never reads, a ring as small as its capacity: after the first 4, each
     * of the 100 publishes waits for it, gives up after maxWait and says so.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_subscriberThatNeverReads_everyPublishAfterTheFirstFourWaitsAndTimesOut(EngineType engine) {
        Duration maxWait = Duration.ofMillis(10);
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(CAPACITY) : Engine.queues())
                .capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(maxWait));
        int n = 100;
        int full = n - CAPACITY;
        List<Outcome> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        for (int m = 1; m <= n; m++) {
            outcomes.add(publish(hub, m));
        }
        long elapsedNanos = System.nanoTime() - start;
        List<Integer> notTimedOut = IntStream.rangeClosed(CAPACITY + 1, n)
                .filter(m -> outcomes.get(m - 1).timedOut() != 1).boxed().toList();
        int timedOut = outcomes.stream().mapToInt(Outcome::timedOut).sum();
        int accepted = outcomes.stream().mapToInt(Outcome::accepted).sum();
        SubscriptionStats before = sub.stats();
        List<Long> kept = pollAll(sub);
        SubscriptionStats after = sub.stats(); // the ring may count what a reader lost when it reads
        long minimum = full * maxWait.toNanos() * 8 / 10;

        assertAll(engine + ": before reading " + before + ", after " + after,
                () -> assertEquals(List.of(), notTimedOut, "publishes after the first " + CAPACITY + " that did not report timedOut 1"),
                () -> assertEquals(full, timedOut, "PublishResult timedOut, summed"),
                () -> assertEquals(CAPACITY, accepted, "PublishResult accepted, summed"),
                () -> assertTrue(elapsedNanos >= minimum, "the " + full + " publishes that found it full took "
                        + TimeUnit.NANOSECONDS.toMillis(elapsedNanos) + " ms in all, less than " + full + " waits of "
                        + maxWait.toMillis() + " ms (80%: " + TimeUnit.NANOSECONDS.toMillis(minimum) + " ms)"),
                () -> assertEquals(n, before.offered(), "stats offered"),
                () -> assertEquals(full, after.timedOut(), "stats TIMEOUT"),
                () -> assertEquals(n, after.offered(), "stats offered, after reading"),
                // the queue keeps the oldest it had room for, the ring's slots hold the newest
                () -> assertEquals(engine.isRing() ? LongStream.rangeClosed(n - CAPACITY + 1, n).boxed().toList()
                        : LongStream.rangeClosed(1, CAPACITY).boxed().toList(), kept, "what the subscriber then reads"),
                () -> assertEquals(n, after.delivered() + after.dropped(), "offered == delivered + dropped"));
    }

    // ------------------------------------------------------------------ helpers

    /** What one publish did for the subscribers; read from publish's result in {@link #publish} only. */
    private record Outcome(int accepted, int timedOut) {
    }

    private static Outcome publish(Hub<Integer> hub, int m) {
        PublishResult r = hub.publishAndReport(m);
        assertTrue(r.isPublished(), () -> "publish " + m + ": " + r);
        return new Outcome(r.accepted(), r.timedOut());
    }

    private static List<Long> pollAll(PullSubscription<Integer> sub) {
        List<Long> out = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = sub.poll(); d.isPresent(); d = sub.poll()) {
            out.add(d.get().sequence());
        }
        return out;
    }
}
