package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that carries its last position from instance to instance while messages flow:
 * every hop resumes with no gap and no duplicate, and never goes back, whether the next instance
 * has the messages in its local history, must read them back from the stream, or is behind.
 */
class ResumeAnywhereTest {
    private final String key = Redis.uniqueKey();
    private final List<RedisStreamHub<String>> hubs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        hubs.forEach(RedisStreamHub::close);
        Redis.delete(Redis.SHARED, key);
    }

    private RedisStreamHub<String> instance(int history) {
        RedisStreamHub<String> h = RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                .history(History.last(history)).overflow(Overflow.slowProducer(Duration.ofSeconds(10)))
                .capacity(8192).block(Duration.ofMillis(200))
                .catchUpWait(Duration.ofSeconds(20)).build(); // a loaded machine may lag; not what is tested
        hubs.add(h);
        return h;
    }

    @Test
    void hoppingWhileMessagesFlow_noGapNoDuplicateNeverBackwards() throws Exception {
        int n = 1500;
        instance(1024);
        instance(16); // a short history: resumes there read back from the stream
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread pub = Hopping.publisher(hubs.get(0), n, failure, 2);
        Thread.sleep(100);
        instance(64); // joins while messages flow
        List<Boolean> gaps = new ArrayList<>();
        List<Delivery<String>> got = Hopping.hop(hubs, List.of(new int[] {1, 7}, new int[] {2, 40}, new int[] {0, 13},
                new int[] {1, 100}, new int[] {2, 3}), n, gaps);
        pub.join();
        assertEquals(null, failure.get());
        assertFalse(gaps.contains(true), "a hop reported a gap");
        Hopping.assertEveryMessageOnceInOrder(got, n);
        assertTrue(hubs.get(1).stats().backfilled() > 0, "the short history never needed the stream: the test lost its point");
    }

    @Test
    void resumeFurtherBackThanTheStreamKeeps_isAGap() throws Exception {
        RedisStreamHub<String> a = RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                .history(History.last(4)).maxLength(10).maxBackfill(50).build();
        hubs.add(a);
        for (int i = 1; i <= 300; i++) {
            a.publish("m" + i);
        }
        assertTrue(Redis.eventually(() -> a.position().sequence() == 300, Duration.ofSeconds(10)));
        PullSubscription<String> trimmed = a.subscriberAfter(Position.of(a.epoch(), 1)).subscribe();
        assertTrue(trimmed.startGap(), "MAXLEN ~ 10 cannot hold entry 2");
        assertEquals(List.of(300L), Redis.sequences(Redis.readUntil(trimmed, 300, Duration.ofSeconds(5))));

        PullSubscription<String> held = a.subscriberAfter(Position.of(a.epoch(), 296)).subscribe();
        assertFalse(held.startGap());
        assertEquals(List.of(297L, 298L, 299L, 300L), Redis.sequences(Redis.readUntil(held, 300, Duration.ofSeconds(5))));
    }

    @Test
    void positionAheadOfAnInstanceThatCannotGetThere_isRefusedNotServedBackwards() {
        RedisStreamHub<String> a = RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                .catchUpWait(Duration.ofMillis(300)).build();
        hubs.add(a);
        a.publish("m1");
        RedisStreamException e = org.junit.jupiter.api.Assertions.assertThrows(RedisStreamException.class,
                () -> a.subscriberAfter(Position.of(a.epoch(), 5)));
        assertEquals(RedisStreamException.Outcome.NOT_APPLIED, e.outcome());
    }
}
