package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pull subscription's consumption loops ({@code forEach}, {@code stream}) end when the
 * subscription ends and tell an interrupt apart from an end; the push and pull types are
 * distinct; the hub counts handler errors.
 */
@Timeout(60)
class ConsumptionLoopTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void forEach_deliversEverythingThenReturnsWhenTheHubCloses(EngineType engine) throws Exception {
        Hub<Integer> hub = engine.<Integer>hub().capacity(8).overflow(Overflow.slowProducer(Duration.ofSeconds(30))).build();
        PullSubscription<Integer> sub = hub.subscribe();
        List<Long> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                sub.forEach((seq, m) -> got.add(seq));
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        for (int m = 1; m <= 100; m++) {
            hub.publish(m);
        }
        hub.close();
        assertEquals(null, ended.get(20, TimeUnit.SECONDS), "forEach returned normally");
        consumer.join();
        assertEquals(LongStream.rangeClosed(1, 100).boxed().toList(), got, "everything, in order, before it returned");
        assertTrue(sub.isClosed());
    }

    @Test
    void forEach_returnsWhenTheSubscriptionIsClosed() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscribe();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                sub.forEach((seq, m) -> { });
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        awaitParked(consumer);
        sub.close();
        assertEquals(null, ended.get(20, TimeUnit.SECONDS));
    }

    @Test
    void forEach_throwsInterruptedExceptionOnInterrupt_andTheSubscriptionStaysOpen() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscribe();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                sub.forEach((seq, m) -> { });
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        awaitParked(consumer);
        consumer.interrupt();
        assertInstanceOf(InterruptedException.class, ended.get(20, TimeUnit.SECONDS));
        assertFalse(sub.isClosed());
        assertEquals(1, hub.subscriberCount());
    }

    @Test
    void forEach_handlerThatThrows_endsTheLoopWithIt() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscribe();
        hub.publish(1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> sub.forEach((seq, m) -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", e.getMessage());
        assertEquals(1, sub.stats().delivered(), "the message it threw on counts as delivered");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void stream_endsWhenTheSubscriptionEnds(EngineType engine) throws Exception {
        Hub<Integer> hub = engine.<Integer>hub().build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(30)));
        AtomicReference<List<Integer>> got = new AtomicReference<>();
        Thread consumer = Thread.ofVirtual().start(() -> got.set(sub.stream().map(Delivery::message).toList()));
        for (int m = 1; m <= 5; m++) {
            hub.publish(m);
        }
        hub.close();
        consumer.join(20_000);
        assertFalse(consumer.isAlive(), "the stream ended");
        assertEquals(List.of(1, 2, 3, 4, 5), got.get());
    }

    @Test
    void pullAndPush_areTypesOfTheirOwn_andAnExecutorIsRefusedForPull() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        Subscription<Integer> pull = hub.subscribe(Overflow.dropOldest());
        Subscription<Integer> push = hub.subscribe(Overflow.dropOldest(), (seq, m) -> { });
        assertInstanceOf(PullSubscription.class, pull);
        assertInstanceOf(PushSubscription.class, push);
        assertFalse(push instanceof PullSubscription<?>);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> hub.subscriber().executor(Runnable::run).subscribe());
        assertEquals("executor: set, but a pull subscription runs no handler"
                + " (expected: subscribe(handler) for a push subscription)", e.getMessage());
        assertEquals(2, hub.subscriberCount(), "the refused one was not attached");
    }

    @Test
    void handlerErrors_areCountedByTheHub() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(30)), (seq, m) -> {
            if (m % 2 == 0) {
                throw new IllegalArgumentException("even");
            }
        });
        for (int m = 1; m <= 10; m++) {
            hub.publish(m);
        }
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)));
        assertEquals(5, hub.stats().handlerErrors());
        assertEquals(10, hub.stats().delivered());
    }

    private static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() - deadline < 0, "never parked");
            Thread.onSpinWait();
        }
    }
}
