package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Hub.Builder#MAX_CAPACITY} is a capacity a hub can really hold: every strategy, and the
 * ring engine, at that capacity builds, takes a publish and delivers it within the test JVM's
 * default heap. A larger one is refused, naming the limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MaxCapacityTest {

    private static final int MAX = Hub.Builder.MAX_CAPACITY;

    /**
     * A generous bound on what one slot of a buffer or ring costs (a reference, a ring slot
     * object, a queue's bookkeeping). A hub at the maximum must fit in an eighth of the heap at
     * this rate; the guard fails at once instead of letting an allocation of gigabytes run the
     * test JVM out of memory.
     */
    private static final long BYTES_PER_SLOT = 64;

    @Test
    void maxCapacity_isTwoToTheTwentieth() {
        assertEquals(1 << 20, MAX);
    }

    static Stream<Arguments> everyEngineAndStrategy() {
        return EngineType.supportedPairs();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEngineAndStrategy")
    void hubAtMaxCapacity_buildsTakesAPublishAndDeliversIt(EngineType engine, StrategyType type) throws Exception {
        long heap = Runtime.getRuntime().maxMemory();
        assertTrue(MAX * BYTES_PER_SLOT <= heap / 8, () -> "MAX_CAPACITY " + MAX + " at " + BYTES_PER_SLOT
                + " bytes a slot needs " + (MAX * BYTES_PER_SLOT >> 20) + " MiB, more than an eighth of the "
                + (heap >> 20) + " MiB heap: not tried, it would run the test JVM out of memory");

        AtomicReference<Optional<Delivery<Integer>>> got = new AtomicReference<>(Optional.empty());
        Bounded.Outcome outcome = Bounded.run("test-max-capacity", Duration.ofSeconds(30), () -> {
            Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(MAX) : Engine.queues())
                    .capacity(MAX).build();
            Overflow o = type.overflow(Duration.ofSeconds(10));
            if (type.pushOnly()) {
                CountDownLatch received = new CountDownLatch(1);
                hub.subscribe(o, (seq, m) -> {
                    got.set(Optional.of(new Delivery<>(seq, m)));
                    received.countDown();
                });
                publish(hub, 1);
                received.await(20, TimeUnit.SECONDS);
            } else {
                PullSubscription<Integer> sub = hub.subscribe(o);
                publish(hub, 1);
                got.set(sub.poll());
            }
            hub.close();
        });

        assertTrue(outcome.finished(), outcome.describe("build, publish and deliver at MAX_CAPACITY"));
        assertNull(outcome.thrown(), outcome.describe("build, publish and deliver at MAX_CAPACITY"));
        assertEquals(Optional.of(new Delivery<>(1, 1)), got.get(), "delivered");
    }

    @Test
    void capacityAboveMax_isRefusedNamingTheLimit() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        String message = "capacity: " + (MAX + 1) + " (expected: <= " + MAX + ")";
        assertAll(
                refused(() -> Hub.builder().capacity(MAX + 1), message, "Hub.Builder.capacity"),
                refused(() -> hub.subscriber().capacity(MAX + 1), message, "SubscriptionBuilder.capacity"),
                refused(() -> Engine.ring(MAX + 1), message, "Engine.ring"));
    }

    private static Executable refused(Executable call, String message, String what) {
        return () -> assertEquals(message, assertThrows(IllegalArgumentException.class, call, what).getMessage(), what);
    }

    /** Publishes one message; the only place that looks at what publish returns. */
    private static void publish(Hub<Integer> hub, int m) {
        if (!hub.publishAndReport(m).isPublished()) {
            throw new AssertionError("publish " + m + " refused");
        }
    }
}
