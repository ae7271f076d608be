package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code elasticWorkers}: a backlog adds workers up to max, idleness retires them down to min,
 * and every message is handled exactly once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ElasticWorkersTest {

    private static final Duration IDLE = Duration.ofMillis(200);
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A handler that blocks on a gate and counts what it handled, and how many ran at once. */
    static final class GatedHandler implements DeliveryHandler<Integer> {
        final AtomicIntegerArray handled;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicLong total = new AtomicLong();
        volatile CountDownLatch gate = new CountDownLatch(1);

        GatedHandler(int messages) {
            handled = new AtomicIntegerArray(messages + 1);
        }

        @Override
        public void onDelivery(long sequence, Integer message) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handled.incrementAndGet((int) sequence);
            total.incrementAndGet();
            running.decrementAndGet();
        }

        void assertEachHandledOnce(long upTo) {
            for (int s = 1; s <= upTo; s++) {
                assertEquals(1, handled.get(s), "times message " + s + " was handled");
            }
        }
    }

    @Test
    void backlog_scalesUpToMax_thenIdleWorkersRetireToMin_nothingLost() throws Exception {
        checkScaleUpAndDown(1);
    }

    @Test
    void minZero_scalesUpToMax_thenRetiresToZero_andStartsAgainOnDemand() throws Exception {
        checkScaleUpAndDown(0);
    }

    private void checkScaleUpAndDown(int min) throws Exception {
        int perBurst = 40;
        Hub<Integer> hub = Hub.<Integer>builder().name("elastic-" + min).capacity(64).build();
        GatedHandler h = new GatedHandler(2 * perBurst + 1);
        Subscription<Integer> s = hub.subscribe(Overflow.elasticWorkers(min, 4, 2, IDLE), h);
        assertEquals(min, s.stats().workers(), "workers at start");

        for (int burst = 1; burst <= 2; burst++) {
            for (int i = 0; i < perBurst; i++) {
                hub.publish(i); // fewer than the capacity: never parks
            }
            // the backlog adds workers up to max, and they all run the handler at once
            awaitTrue(() -> s.stats().workers() == 4, () -> "workers never reached max: " + s.stats());
            awaitTrue(() -> h.running.get() == 4, () -> "4 handlers never ran at once: " + h.running);
            assertEquals(4, s.stats().peakWorkers(), "peak workers");
            h.gate.countDown();
            long upTo = (long) burst * perBurst;
            awaitTrue(() -> h.total.get() == upTo, () -> "handled " + h.total + " of " + upTo);
            h.assertEachHandledOnce(upTo);
            assertEquals(4, h.maxRunning.get(), "never more than max handlers at once");
            // idle: back to min
            awaitTrue(() -> s.stats().workers() == min, () -> "workers did not retire to " + min + ": " + s.stats());
            LockSupport.parkNanos(3 * IDLE.toNanos()); // more idle periods go by: never below min
            assertEquals(min, s.stats().workers(), "workers after further idle time");
            h.gate = new CountDownLatch(1);
        }
        h.gate.countDown();

        // one more message after an idle period is handled, by a new worker when min is 0
        hub.publish(-1);
        long last = hub.sequence();
        awaitTrue(() -> h.total.get() == last, () -> "a message after idleness was not handled: " + s.stats());
        h.assertEachHandledOnce(last);
        assertEquals(4, s.stats().peakWorkers());

        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)));
        SubscriptionStats st = s.stats();
        assertEquals(last, st.offered(), st::toString);
        assertEquals(last, st.delivered(), st::toString);
        assertEquals(0, st.dropped(), st::toString);
        assertEquals(0, st.workers(), st::toString);
    }

    /**
     * The publisher outruns four slow handlers, so it waits for room most of the time. The wait
     * is bounded generously: with the default of one second a publish on a loaded machine can
     * give up, and its message, dropped as a timeout, would look like one that was stranded.
     */
    @Test
    void slowHandlerUnderSustainedLoad_everyMessageHandledExactlyOnce() throws Exception {
        int n = 400;
        Hub<Integer> hub = Hub.<Integer>builder().name("elastic-load").capacity(16).build();
        AtomicIntegerArray handled = new AtomicIntegerArray(n + 1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        Overflow.ElasticWorkers elastic = Overflow.elasticWorkers(1, 4, 2, IDLE).withMaxWait(Duration.ofNanos(BOUND_NANOS));
        Subscription<Integer> s = hub.subscribe(elastic, (seq, m) -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(1, 6)));
            handled.incrementAndGet((int) seq);
            running.decrementAndGet();
            all.countDown();
        });
        long timedOut = 0;
        for (int i = 1; i <= n; i++) {
            PublishResult r = hub.publishAndReport(i); // parks while max workers are busy and the buffer is full
            timedOut += r.timedOut();
        }
        // a publish that gave up dropped its message: say so, rather than wait for it in vain
        assertEquals(0, timedOut, () -> "publishes that timed out: " + s.stats());
        assertTrue(all.await(30, TimeUnit.SECONDS), () -> "handled " + (n - all.getCount()) + " of " + n + ": " + s.stats());
        for (int i = 1; i <= n; i++) {
            assertEquals(1, handled.get(i), "times message " + i + " was handled");
        }
        assertTrue(maxRunning.get() <= 4, "more than max handlers at once: " + maxRunning);
        assertEquals(4, s.stats().peakWorkers(), "a sustained backlog reaches max workers");
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)));
        SubscriptionStats st = s.stats();
        assertEquals(n, st.delivered(), st::toString);
        assertEquals(0, st.dropped(), st::toString);
    }

    /**
     * With min 0 the last worker retires after its idle timeout. A message published just as it
     * retires must still be handled: the publish sees a worker that is about to leave, so
     * something has to notice the message (here nothing else is published until it is handled).
     */
    @Test
    void minZero_messagePublishedAsTheLastWorkerRetires_isStillHandled() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().name("elastic-retire").capacity(64).build();
        AtomicLong handled = new AtomicLong();
        Duration idle = Duration.ofMillis(1);
        // scaleUpBacklog 1: a single queued message does not add a worker while one is counted
        Subscription<Integer> s = hub.subscribe(Overflow.elasticWorkers(0, 2, 1, idle), (seq, m) -> handled.incrementAndGet());
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("elastic.retire.seconds", 4));
        int i = 0;
        while (System.nanoTime() - end < 0) {
            hub.publish(i++);
            long expected = i;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // 5000 idle timeouts
            while (handled.get() < expected) {
                if (System.nanoTime() - deadline > 0) {
                    fail("message " + expected + " stranded: " + handled + " handled, " + s.stats());
                }
                Thread.onSpinWait();
            }
            // publish again around the moment the worker's idle timeout expires
            LockSupport.parkNanos(rnd.nextLong(idle.toNanos() / 2, idle.toNanos() * 2));
        }
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)));
        assertEquals(i, s.stats().delivered());
    }

    private static void awaitTrue(BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(message.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
