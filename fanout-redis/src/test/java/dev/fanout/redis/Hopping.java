package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fanout.Delivery;
import dev.fanout.Position;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

/** A publisher of m1..mN and a subscriber that hops between instances with its last position. */
final class Hopping {
    private Hopping() {
    }

    /**
     * Publishes m1..mN through {@code via} on its own thread, pausing {@code pauseMillis} every
     * 20; a publish that does not get the next number is a failure.
     */
    static Thread publisher(RedisStreamHub<String> via, int n, AtomicReference<Throwable> failure, int pauseMillis) {
        return Thread.ofPlatform().name("publisher").start(() -> {
            try {
                for (int i = 1; i <= n; i++) {
                    Position p = via.publish("m" + i);
                    if (p.sequence() != i) {
                        throw new AssertionError("publish " + i + " got " + p);
                    }
                    if (pauseMillis > 0 && i % 20 == 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
    }

    /**
     * Hops along {@code hops} (instance index, messages to take there), round and round, until it
     * has message {@code n}, resuming each time after the last position; records each hop's
     * {@code startGap()} in {@code gaps}; returns everything it took.
     */
    static List<Delivery<String>> hop(List<RedisStreamHub<String>> hubs, List<int[]> hops, int n, List<Boolean> gaps) {
        List<Delivery<String>> got = new ArrayList<>();
        Position last = Position.of(hubs.get(0).epoch(), 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int k = 0; last.sequence() < n && System.nanoTime() - deadline < 0; k++) {
            int[] h = hops.get(k % hops.size());
            RedisStreamHub<String> at = hubs.get(h[0]);
            PullSubscription<String> s = at.subscriberAfter(last).subscribe();
            gaps.add(s.startGap());
            for (int taken = 0; taken < h[1] && last.sequence() < n && System.nanoTime() - deadline < 0; ) {
                Optional<Delivery<String>> d = s.await(Duration.ofMillis(200));
                if (d.isEmpty()) {
                    continue;
                }
                got.add(d.get());
                last = Position.of(at.epoch(), d.get().sequence());
                taken++;
            }
            s.close();
        }
        return got;
    }

    static void assertEveryMessageOnceInOrder(List<Delivery<String>> got, int n) {
        assertEquals(LongStream.rangeClosed(1, n).boxed().toList(), Redis.sequences(got));
        for (Delivery<String> d : got) {
            assertEquals("m" + d.sequence(), d.message());
        }
    }
}
