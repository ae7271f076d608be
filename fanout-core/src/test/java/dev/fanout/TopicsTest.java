package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private final AtomicLong millis = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());

    private Topics<String, String> topics(Duration idle) {
        return Topics.<String, String>builder(() -> Hub.<String>builder().history(History.latest()).build())
                .idleTimeout(idle).clock(clock).build();
    }

    @Test
    void hub_isCreatedOnceAndSharedPerKey() {
        try (Topics<String, String> t = topics(Duration.ofSeconds(10))) {
            Hub<String> a = t.hub("a");
            assertSame(a, t.hub("a"));
            assertNotSame(a, t.hub("b"));
            assertEquals(2, t.size());
            assertTrue(t.find("c").isEmpty());
        }
    }

    @Test
    void reclaimIdle_closesHubsWithoutSubscribersAfterTheIdleTime() {
        try (Topics<String, String> t = topics(Duration.ofSeconds(10))) {
            Hub<String> idle = t.hub("idle");
            PullSubscription<String> s = t.subscribe("busy", b -> b.overflow(Overflow.latestOnly()));
            assertEquals(0, t.reclaimIdle());  // starts the idle clock of "idle"
            millis.addAndGet(9_000);
            assertEquals(0, t.reclaimIdle());  // 9 s: not yet
            millis.addAndGet(1_000);
            assertEquals(1, t.reclaimIdle());  // 10 s: reclaimed
            assertTrue(idle.isClosed());
            assertEquals(List.of("busy"), List.copyOf(t.keys()));
            s.close();
            assertEquals(0, t.reclaimIdle());
            millis.addAndGet(10_000);
            assertEquals(1, t.reclaimIdle());
            assertEquals(0, t.size());
        }
    }

    @Test
    void use_resetsTheIdleClock() {
        try (Topics<String, String> t = topics(Duration.ofSeconds(10))) {
            t.hub("a");
            t.reclaimIdle();
            millis.addAndGet(9_000);
            t.publish("a", "x");               // a call through the registry is use
            t.reclaimIdle();
            millis.addAndGet(9_000);
            assertEquals(0, t.reclaimIdle());
            assertTrue(t.find("a").isPresent());
        }
    }

    /**
     * Subscribers and publishers race with a reclaimer that runs with zero idle time: every
     * subscription handed out must be on a live hub and receive what is published after it.
     */
    @RepeatedTest(20)
    void reclaim_racingWithSubscribe_neverHandsOutADeadSubscription() throws Exception {
        try (Topics<String, String> t = topics(Duration.ZERO)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger reclaimed = new AtomicInteger();
            Thread reclaimer = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    reclaimed.addAndGet(t.reclaimIdle());
                    Thread.onSpinWait();
                }
            });
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            int threads = 4;
            CountDownLatch done = new CountDownLatch(threads);
            for (int w = 0; w < threads; w++) {
                int id = w;
                Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 300 || (reclaimed.get() < 10 && i < 200_000); i++) {
                            // keys of its own: no other thread floods this subscription, while the
                            // reclaimer races for the hub every time the subscription closes
                            String key = "k" + id + "-" + (i % 3);
                            PullSubscription<String> s = t.subscribe(key, b -> b.overflow(Overflow.dropNewest()));
                            String msg = id + ":" + i;
                            long r = t.publish(key, msg);
                            Optional<Delivery<String>> got;
                            do {
                                got = s.poll();
                            } while (got.isPresent() && !got.get().message().equals(msg));
                            if (got.isEmpty() || s.isClosed()) {
                                failures.add("subscriber " + msg + " missed its message: " + r + ", closed=" + s.isClosed());
                            }
                            s.close();
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            stop.set(true);
            reclaimer.join();
            assertEquals(List.of(), new ArrayList<>(failures));
            assertTrue(reclaimed.get() > 0, "the reclaimer never won a race, so nothing was tested");
        }
    }

    @Test
    void close_closesEveryHubAndRefusesUse() {
        Topics<String, String> t = topics(Duration.ofSeconds(1));
        Hub<String> a = t.hub("a");
        t.close();
        assertTrue(a.isClosed());
        assertEquals(0, t.size());
        assertTrue(t.keys().isEmpty());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> t.hub("b"));
        assertEquals("topics are closed", e.getMessage());
    }
}
