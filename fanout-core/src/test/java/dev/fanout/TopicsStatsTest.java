package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** {@link Topics#stats()}: every hub the registry has had, counted once, reclaimed ones kept. */
class TopicsStatsTest {

    private static Topics<String, Integer> topics() {
        return Topics.<String, Integer>builder(() -> Hub.<Integer>builder().capacity(4).build())
                .idleTimeout(Duration.ZERO).build();
    }

    @Test
    void sumsTheLiveHubs_andKeepsWhatReclaimedHubsCounted() {
        try (Topics<String, Integer> t = topics()) {
            PullSubscription<Integer> a = t.subscribe("a", b -> b.overflow(Overflow.dropNewest()));
            for (int i = 0; i < 6; i++) {
                t.publish("a", i); // 4 queued, 2 dropped as newest
            }
            t.publish("b", 1);
            t.publish("b", 2); // no subscriber: published, offered to no one
            a.poll();

            HubStats live = t.stats();
            assertAll(live::toString,
                    () -> assertEquals(8, live.published()),
                    () -> assertEquals(1, live.subscribers()),
                    () -> assertEquals(6, live.offered()),
                    () -> assertEquals(1, live.delivered()),
                    () -> assertEquals(2, live.newest()),
                    () -> assertEquals(3, live.depth()),
                    () -> assertEquals(5, live.maxLag()));

            assertEquals(1, t.reclaimIdle(), "b has no subscriber: reclaimed");
            a.close();
            assertEquals(1, t.reclaimIdle(), "a is idle now");
            assertEquals(0, t.size());

            HubStats after = t.stats();
            assertAll(after::toString,
                    () -> assertEquals(8, after.published(), "reclaimed hubs' counts are kept"),
                    () -> assertEquals(6, after.offered()),
                    () -> assertEquals(1, after.delivered()),
                    () -> assertEquals(2, after.newest()),
                    () -> assertEquals(3, after.closed(), "what a held when closed"),
                    () -> assertEquals(0, after.subscribers()),
                    () -> assertEquals(0, after.depth()),
                    () -> assertEquals(1, after.subscribed()));
        }
    }

    /**
     * Publishers and a reclaimer race a reader of the stats: the published total never goes down,
     * and at the end it is exactly the publishes that got a sequence number. A hub removed from
     * the registry before its counts were kept would make a read dip, or the end total short.
     */
    @RepeatedTest(20)
    void totalsNeverGoDown_whileTopicsAreReclaimed() throws Exception {
        try (Topics<String, Integer> t = topics()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong accepted = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(2);
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                for (int i = 0; !stop.get(); i++) {
                    if (t.publish("k" + (i & 7), i) > 0) {
                        accepted.incrementAndGet();
                    }
                }
            }));
            threads.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    while (!stop.get()) {
                        t.reclaimIdle();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
            started.await();
            long last = 0;
            List<String> dips = new ArrayList<>();
            // at least 2,000 reads, the last one after 10,000 publishes were accepted (however the
            // threads are scheduled: a reader descheduled after a read that saw none must read again)
            long acceptedBefore = 0;
            for (int reads = 0; reads < 2_000 || acceptedBefore < 10_000; reads++) {
                acceptedBefore = accepted.get();
                long now = t.stats().published();
                if (now < last) {
                    dips.add(last + " -> " + now);
                }
                last = now;
            }
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(null, failure.get());
            assertTrue(dips.isEmpty(), "published went down: " + dips);
            assertTrue(last >= acceptedBefore, "the last read saw the " + acceptedBefore + " publishes accepted before it: " + last);
            assertEquals(accepted.get(), t.stats().published(), "every publish counted once");
        }
    }
}
