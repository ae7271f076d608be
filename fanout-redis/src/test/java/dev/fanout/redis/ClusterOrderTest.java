package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Delivery;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several instances (each its own Lettuce client) publishing into one stream at once: every
 * instance's subscribers see the same messages, in the same order, under the same numbers.
 */
class ClusterOrderTest {
    private static final int INSTANCES = 3;
    private static final int PER_PUBLISHER = 200;

    private final String key = Redis.uniqueKey();
    private final List<RedisStreamHub<String>> hubs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        hubs.forEach(RedisStreamHub::close);
        Redis.delete(Redis.SHARED, key);
    }

    private RedisStreamHub<String> instance() {
        RedisStreamHub<String> h = RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                .overflow(Overflow.slowProducer(Duration.ofSeconds(10))).capacity(4096).build();
        hubs.add(h);
        return h;
    }

    @Test
    void concurrentPublishersOnEveryInstance_everyInstanceDeliversTheSameSequence() throws Exception {
        List<PullSubscription<String>> subs = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            subs.add(instance().subscriber().subscribe());
        }
        assertEquals(1, hubs.stream().map(RedisStreamHub::epoch).distinct().count(), "one epoch for all");
        ConcurrentLinkedQueue<Position> returned = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(INSTANCES);
        List<Future<?>> publishers = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            RedisStreamHub<String> h = hubs.get(i);
            int p = i;
            publishers.add(pool.submit(() -> {
                start.await();
                for (int k = 0; k < PER_PUBLISHER; k++) {
                    returned.add(h.publish("p" + p + "-" + k));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : publishers) {
            f.get();
        }
        pool.shutdown();
        int total = INSTANCES * PER_PUBLISHER;

        List<Long> dense = LongStream.rangeClosed(1, total).boxed().toList();
        assertEquals(dense, returned.stream().map(Position::sequence).sorted().toList(),
                "each publish got its own number, with none left out");
        List<List<String>> seen = new ArrayList<>();
        for (PullSubscription<String> s : subs) {
            List<Delivery<String>> got = Redis.readUntil(s, total, Duration.ofSeconds(30));
            assertEquals(dense, Redis.sequences(got));
            seen.add(got.stream().map(Delivery::message).toList());
        }
        for (int i = 1; i < INSTANCES; i++) {
            assertEquals(seen.get(0), seen.get(i), "instance " + i + " delivered another order");
        }
        Set<String> all = new HashSet<>(seen.get(0));
        assertEquals(total, all.size(), "no message twice");
        for (int p = 0; p < INSTANCES; p++) {
            // each publisher's own messages keep their order in the one stream
            int pp = p;
            List<String> mine = seen.get(0).stream().filter(m -> m.startsWith("p" + pp + "-")).toList();
            assertEquals(LongStream.range(0, PER_PUBLISHER).mapToObj(k -> "p" + pp + "-" + k).toList(), mine);
        }
        for (RedisStreamHub<String> h : hubs) {
            RedisStreamStats st = h.stats();
            assertEquals(PER_PUBLISHER, st.published());
            assertEquals(total, st.read());
            assertEquals(0, st.missed());
            assertEquals(Position.of(h.epoch(), total), h.position());
        }
        // every message was delivered under the number its publish returned
        for (Position p : returned) {
            assertFalse(p.sequence() < 1);
        }
    }

    @Test
    void anEntryTheCodecCannotRead_isSkippedAndCounted_theRestDelivered() throws InterruptedException {
        StreamCodec<String> picky = StreamCodec.of(m -> m, t -> {
            if (t.startsWith("bad")) {
                throw new IllegalArgumentException("cannot read " + t);
            }
            return t;
        });
        RedisStreamHub<String> h = RedisStreamHub.builder(Redis.SHARED, key, picky).build();
        hubs.add(h);
        PullSubscription<String> s = h.subscriber().subscribe();
        h.publish("a");
        h.publish("bad one");
        h.publish("c");
        List<Delivery<String>> got = Redis.readUntil(s, 3, Duration.ofSeconds(10));
        assertEquals(List.of(1L, 3L), Redis.sequences(got), "2 is skipped, and the jump shows it");
        assertTrue(Redis.eventually(() -> h.stats().read() == 2, Duration.ofSeconds(5)), h.stats().toString());
        assertEquals(1, h.stats().undecodable());
    }
}
