package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random hop schedules (which instance, how many messages there) against three instances with
 * different local histories, while a publisher on a random instance goes at a random pace:
 * whatever the schedule, the subscriber gets every message once, in order, with no gap.
 */
class RandomHopPropertyTest {
    private static final int N = 500;

    @Provide
    Arbitrary<List<int[]>> schedules() {
        Arbitrary<int[]> hop = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 5), Arbitraries.integers().between(20, 120)))
                .as((i, n) -> new int[] {i, n});
        return hop.list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 4, shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void anyHopSchedule_everyMessageOnceInOrder(@ForAll("schedules") List<int[]> schedule,
                                                @ForAll @IntRange(min = 0, max = 3) int publishVia,
                                                @ForAll @IntRange(min = 0, max = 4) int pauseMillis) throws Exception {
        String key = Redis.uniqueKey();
        List<RedisStreamHub<String>> hubs = new ArrayList<>();
        try {
            for (int history : new int[] {8, 64, 1024}) {
                hubs.add(RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                        .history(History.last(history)).overflow(Overflow.slowProducer(Duration.ofSeconds(10)))
                        .capacity(4096).block(Duration.ofMillis(200))
                        .catchUpWait(Duration.ofSeconds(20)).build()); // a loaded machine may lag
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread pub = Hopping.publisher(hubs.get(publishVia % 3), N, failure, pauseMillis);
            List<Boolean> gaps = new ArrayList<>();
            List<Delivery<String>> got = Hopping.hop(hubs, schedule, N, gaps);
            pub.join();
            assertEquals(null, failure.get());
            assertFalse(gaps.contains(true), "a hop reported a gap");
            Hopping.assertEveryMessageOnceInOrder(got, N);
        } finally {
            hubs.forEach(RedisStreamHub::close);
            Redis.delete(Redis.SHARED, key);
        }
    }
}
