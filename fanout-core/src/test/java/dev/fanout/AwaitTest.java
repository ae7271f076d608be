package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The untimed {@link Subscription#await()}: it parks until a message, an end or an interrupt. */
class AwaitTest {

    private static Hub<String> hub(String engine) {
        return Hub.<String>builder().engine(engine.equals("ring") ? Engine.ring(16) : Engine.queues())
                .overflow(Overflow.dropOldest()).build();
    }

    /** Waits until {@code t} is parked, so the wake-up under test is not a race it could win by luck. */
    private static void awaitParked(Thread t) {
        while (t.getState() != Thread.State.WAITING) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"queues", "ring"})
    void await_wakesForAMessagePublishedWhileParked(String engine) throws Exception {
        Hub<String> hub = hub(engine);
        PullSubscription<String> sub = hub.subscribe();
        CompletableFuture<Optional<Delivery<String>>> got = new CompletableFuture<>();
        Thread consumer = Thread.ofPlatform().start(() -> got.complete(sub.await()));
        awaitParked(consumer);
        hub.publish("hello");
        Delivery<String> d = got.get(10, TimeUnit.SECONDS).orElseThrow();
        assertEquals(1, d.sequence());
        assertEquals("hello", d.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"queues", "ring"})
    void await_returnsEmptyWhenTheSubscriptionCloses(String engine) throws Exception {
        Hub<String> hub = hub(engine);
        PullSubscription<String> sub = hub.subscribe();
        CompletableFuture<Optional<Delivery<String>>> got = new CompletableFuture<>();
        Thread consumer = Thread.ofPlatform().start(() -> got.complete(sub.await()));
        awaitParked(consumer);
        sub.close();
        assertEquals(Optional.empty(), got.get(10, TimeUnit.SECONDS));
        assertTrue(sub.isClosed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"queues", "ring"})
    void await_returnsEmptyOnInterruptAndKeepsTheFlag(String engine) throws Exception {
        Hub<String> hub = hub(engine);
        PullSubscription<String> sub = hub.subscribe();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread consumer = Thread.ofPlatform().start(() -> {
            Optional<Delivery<String>> d = sub.await();
            interrupted.complete(d.isEmpty() && Thread.currentThread().isInterrupted());
        });
        awaitParked(consumer);
        consumer.interrupt();
        assertTrue(interrupted.get(10, TimeUnit.SECONDS));
    }
}
