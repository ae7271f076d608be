package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Under every lossy strategy, a subscriber that never consumes (a pull subscriber that never
 * polls, a push subscriber whose handler blocks) never blocks {@code publish} and never costs a
 * healthy subscriber a message.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StalledSubscriberTest {

    private static final int N = 20_000;
    private static final int CAPACITY = 16;
    private static final int KEYS = 64;
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    /** The ring here has room for the healthy lossless subscribers to keep the publisher going. */
    private static final int RING = 64;

    static Stream<Arguments> lossyStrategies() {
        return Stream.of(EngineType.values()).flatMap(e -> Stream.of(
                Arguments.of(e, "drop-oldest", Overflow.dropOldest()),
                Arguments.of(e, "drop-newest", Overflow.dropNewest()),
                Arguments.of(e, "latest-only", Overflow.latestOnly()),
                Arguments.of(e, "latest-per-key", Overflow.latestPerKey((Integer m) -> m % KEYS)),
                Arguments.of(e, "disconnect", Overflow.disconnect()))
                .filter(a -> e.engine().supports((Overflow) a.get()[2])));
    }

    private static Hub.Builder<Integer> hub(EngineType engine) {
        return Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(RING) : Engine.queues());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lossyStrategies")
    void stalledSubscribers_neverBlockPublishNorHealthySubscribers(EngineType engine, String alias, Overflow lossy)
            throws Exception {
        Hub<Integer> hub = hub(engine).name("stalled-" + alias).capacity(CAPACITY)
                .overflow(Overflow.slowProducer(GENEROUS)).build();

        PullSubscription<Integer> stalledPull = hub.subscribe(lossy); // never polled
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        // the push subscription's first drain task waits for a gate, so it takes a batch of several
        // messages at once and then blocks in the handler on the first of them
        CountDownLatch gate = new CountDownLatch(1);
        Executor gated = task -> Thread.ofVirtual().name("test-gated").start(() -> {
            awaitQuietly(gate);
            task.run();
        });
        Subscription<Integer> stalledPush = hub.subscriber().overflow(lossy).executor(gated).subscribe((seq, m) -> {
            entered.countDown();
            awaitQuietly(release);
        });
        for (int i = 0; i < 4; i++) {
            hub.publish(-i);
        }
        gate.countDown();
        assertTrue(entered.await(20, TimeUnit.SECONDS), "the stalled push handler was never called");

        try {
            List<Subscription<Integer>> healthy = publishAndCheckHealthy(hub, alias);

            // the stalled subscribers shed load according to their strategy
            SubscriptionStats pull = stalledPull.stats();
            SubscriptionStats push = stalledPush.stats();
            assertEquals(0, pull.delivered(), "stalled pull " + pull);
            assertEquals(0, push.delivered(), "stalled push " + push);
            if (lossy instanceof Overflow.Disconnect) {
                assertEquals(CloseReason.SLOW, stalledPull.closeReason().orElseThrow());
                assertEquals(CloseReason.SLOW, stalledPush.closeReason().orElseThrow());
                // closed as of the message that found it full (on the ring, by the once-per-lap sweep)
                assertEquals(CAPACITY + 1, pull.offered(), "offered until it was found full " + pull);
                // on the queue engine, the batch taken by the blocked drain task, then a full buffer,
                // then the one that found it full; the ring's cursor counts from where it stood
                long inHand = push.offered() - CAPACITY - 1;
                assertTrue(inHand >= (engine.isRing() ? 0 : 1) && inHand <= 4, "stalled push " + push);
                assertEquals(2, hub.subscriberCount(), "the disconnected subscribers are detached");
            } else {
                long published = hub.sequence();
                assertEquals(published, pull.offered(), "stalled pull " + pull);
                assertEquals(published, push.offered(), "stalled push " + push);
                int held = lossy instanceof Overflow.LatestOnly ? 1 : CAPACITY;
                // a full buffer on both engines (the ring counts the skip before its consumer reads)
                assertEquals(held, pull.depth(), "stalled pull holds a full buffer " + pull);
                assertEquals(published - held, pull.dropped(), "stalled pull drops " + pull);
                // messages taken by the blocked drain task are neither queued nor counted yet: at most a
                // batch (the ring's cursor still counts them as held until the batch ends)
                long inHand = published - push.dropped() - push.depth();
                assertTrue(inHand >= (engine.isRing() ? 0 : 1) && inHand <= 4, "stalled push " + push);
                DropCause cause = switch (lossy) {
                    case Overflow.DropOldest o -> DropCause.OLDEST;
                    case Overflow.DropNewest o -> DropCause.NEWEST;
                    default -> null;
                };
                if (cause != null) {
                    assertEquals(pull.dropped(), pull.dropped(cause), "stalled pull drops by " + cause);
                }

                assertEquals(4, hub.subscriberCount());
            }

            release.countDown();
            hub.close();
            assertTrue(hub.awaitTermination(Duration.ofSeconds(20)), "push subscriptions did not terminate");
            List<Subscription<Integer>> all = new ArrayList<>(healthy);
            all.add(stalledPull);
            all.add(stalledPush);
            for (Subscription<Integer> s : all) {
                SubscriptionStats st = s.stats();
                assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), s + " " + st);
            }
        } finally {
            release.countDown(); // on failure: a publisher stuck behind the stalled handler gets going again
            hub.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lossyStrategies")
    void pullConsumerBlockedInsideDrain_neverBlocksPublishNorHealthySubscribers(EngineType engine, String alias,
            Overflow lossy) throws Exception {
        Hub<Integer> hub = hub(engine).name("stalled-drain-" + alias).capacity(CAPACITY)
                .overflow(Overflow.slowProducer(GENEROUS)).build();
        PullSubscription<Integer> stalled = hub.subscribe(lossy);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Thread drainer = new Thread(() -> stalled.drain((seq, m) -> {
            entered.countDown();
            awaitQuietly(release);
        }, CAPACITY), "test-stalled-drainer");
        try {
            for (int i = 0; i < 4; i++) { // something to drain: the drainer takes a batch, blocks on its first
                hub.publish(-i);
            }
            drainer.start();
            assertTrue(entered.await(20, TimeUnit.SECONDS), "the drain handler was never called");
            List<Subscription<Integer>> healthy = publishAndCheckHealthy(hub, alias);
            release.countDown();
            drainer.join(20_000);
            assertFalse(drainer.isAlive());
            hub.close();
            for (Subscription<Integer> s : healthy) {
                assertEquals(0, s.stats().dropped(), s::toString);
            }
            SubscriptionStats st = stalled.stats();
            assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), st::toString);
        } finally {
            release.countDown();
            hub.close();
        }
    }

    /**
     * Attaches a lossless pull and a lossless push subscriber, publishes 1..N with a hang guard,
     * and checks that both got every message once, in order.
     */
    private static List<Subscription<Integer>> publishAndCheckHealthy(Hub<Integer> hub, String alias)
            throws Exception {
        // healthy, lossless subscribers: they must get all N messages, base + 1 to base + N
        long base = hub.sequence();
        PullSubscription<Integer> healthyPull = hub.subscribe(Overflow.slowProducer(GENEROUS));
        List<Long> pulled = new ArrayList<>();
        Thread consumer = new Thread(() -> {
            while (pulled.size() < N) {
                if (healthyPull.drain((seq, m) -> pulled.add(seq), 64) == 0) {
                    healthyPull.await(Duration.ofMillis(50)).ifPresent(d -> pulled.add(d.sequence()));
                    if (healthyPull.isClosed()) {
                        return;
                    }
                }
            }
        }, "test-healthy-consumer");
        consumer.start();
        AtomicLong pushedNext = new AtomicLong(base + 1);
        AtomicLong pushedOutOfOrder = new AtomicLong();
        CountDownLatch pushedAll = new CountDownLatch(1);
        Subscription<Integer> healthyPush = hub.subscribe(Overflow.slowProducer(GENEROUS), (seq, m) -> {
            if (seq != pushedNext.getAndIncrement()) {
                pushedOutOfOrder.incrementAndGet();
            }
            if (seq == base + N) {
                pushedAll.countDown();
            }
        });

        List<PublishResult> results = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            List<PublishResult> rs = new ArrayList<>(N);
            for (int i = 1; i <= N; i++) {
                rs.add(hub.publishAndReport(i));
            }
            return rs;
        }, "publish blocked behind a stalled " + alias + " subscriber");

        for (PublishResult r : results) {
            assertTrue(r.isPublished(), r::toString);
            assertEquals(0, r.timedOut(), r::toString);
        }
        consumer.join(20_000);
        assertFalse(consumer.isAlive(), "the healthy pull consumer did not get all messages");
        assertEquals(N, pulled.size(), "healthy pull subscriber");
        for (int i = 0; i < N; i++) {
            assertEquals(base + i + 1, pulled.get(i), "healthy pull subscriber, in order, nothing missing");
        }
        assertTrue(pushedAll.await(20, TimeUnit.SECONDS), "healthy push subscriber did not get message " + (base + N));
        assertEquals(base + N + 1, pushedNext.get(), "healthy push subscriber got every message once");
        assertEquals(0, pushedOutOfOrder.get(), "healthy push subscriber out of order");
        assertEquals(0, healthyPull.stats().dropped());
        assertEquals(0, healthyPush.stats().dropped());
        return List.of(healthyPull, healthyPush);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
