package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RingSmokeTest {
    private static List<Long> seqs(PullSubscription<Integer> s) {
        List<Long> out = new ArrayList<>();
        s.drain((q, m) -> out.add(q), 1000);
        return out;
    }

    @Test
    void ring_dropOldest_latestOnly_lossless() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().engine(Engine.ring(8)).capacity(4)
                .overflow(Overflow.dropOldest()).build();
        PullSubscription<Integer> oldest = hub.subscribe(Overflow.dropOldest());
        PullSubscription<Integer> latest = hub.subscribe(Overflow.latestOnly());
        PullSubscription<Integer> lossless = hub.subscribe(Overflow.slowProducer(Duration.ZERO));
        for (int i = 1; i <= 5; i++) {
            hub.publish(i);
        }
        assertEquals(List.of(2L, 3L, 4L, 5L), seqs(oldest));
        assertEquals(1, oldest.stats().oldest());
        assertEquals(List.of(5L), seqs(latest));
        assertEquals(4, latest.stats().superseded());
        // capacity 4 is held on the ring too: the fifth waited zero and the oldest was lost
        assertEquals(List.of(2L, 3L, 4L, 5L), seqs(lossless));
        assertEquals(1, lossless.stats().timedOut());
        for (int i = 6; i <= 14; i++) {
            hub.publish(i); // each publish past the capacity waits zero and makes it lose one
        }
        List<Long> got = seqs(lossless);
        assertEquals(14L, got.get(got.size() - 1));
        SubscriptionStats st = lossless.stats();
        assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), st.toString());
        assertTrue(st.timedOut() > 0, st.toString());
    }

    @Test
    void ring_refusesDropNewest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Hub.<Integer>builder().engine(Engine.ring(8)).overflow(Overflow.dropNewest()).build());
        assertTrue(e.getMessage().contains("Engine.queues()"), e.getMessage());
    }

    @Test
    void ring_push_and_await() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().engine(Engine.ring(64)).build();
        List<Long> pushed = new CopyOnWriteArrayList<>();
        Subscription<Integer> push = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(5)), (s, m) -> pushed.add(s));
        PullSubscription<Integer> pull = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(5)));
        // the consumer reports what it got; the test thread asserts, where JUnit sees a failure
        FutureTask<List<Long>> consumer = new FutureTask<>(() -> {
            List<Long> got = new ArrayList<>();
            while (got.size() < 1000) {
                var d = pull.await(Duration.ofSeconds(5));
                if (d.isEmpty()) {
                    break; // stalled: the list comes back short
                }
                got.add(d.get().sequence());
            }
            return got;
        });
        Thread.ofVirtual().start(consumer);
        for (int i = 1; i <= 1000; i++) {
            hub.publish(i);
        }
        List<Long> got = consumer.get(10, TimeUnit.SECONDS);
        assertEquals(LongStream.rangeClosed(1, 1000).boxed().toList(), got, "sequences the pull consumer got");
        assertEquals(1000, pull.stats().delivered());
        // a lost wake-up would stall a consumer past its 5 s limit, and the producer would demote it
        assertEquals(0, pull.stats().timedOut(), pull.stats().toString());
        assertEquals(0, push.stats().timedOut(), push.stats().toString());
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(5)));
        assertEquals(1000, pushed.size(), push.stats() + " / " + pull.stats() + " / " + hub.stats());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i + 1, pushed.get(i));
        }
    }
}
