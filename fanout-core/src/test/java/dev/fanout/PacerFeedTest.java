package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@link Pacer} is fed after every publish with the fill of the fullest lossless subscriber,
 * on the ring engine as on the queue engine: a producer that paces itself at ten times what its
 * only (lossless) consumer takes fills that consumer, and the pacer cuts the rate.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacerFeedTest {

    private static final double START_RATE = 2_000;
    private static final double CONSUMER_RATE = 200;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void pacerOnEitherEngine_isFedByPublishes_andCutsTheRateWhenTheLosslessConsumerFills(EngineType engine)
            throws Exception {
        Pacer pacer = Pacer.aimd().initialRate(START_RATE).build();
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(64) : Engine.queues())
                .capacity(64).pacer(pacer).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

        Thread producer = Thread.ofPlatform().name("test-paced-producer").start(() -> {
            try {
                for (int m = 1; running.get(); m++) {
                    pacer.pace();
                    if (publish(hub, m)) {
                        published.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        Thread consumer = Thread.ofPlatform().name("test-slow-consumer").start(() -> {
            try {
                long gap = (long) (1e9 / CONSUMER_RATE);
                long next = System.nanoTime();
                while (running.get()) {
                    next += gap;
                    long wait;
                    while ((wait = next - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    Optional<Delivery<Integer>> d = sub.await(Duration.ofMillis(100));
                    if (d.isPresent()) {
                        consumed.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        LockSupport.parkNanos(RUN_NANOS);
        running.set(false);
        hub.close(); // releases a producer waiting for room
        producer.join(10_000);
        consumer.join(10_000);

        long decreases = pacer.decreases();
        double rate = pacer.rate();
        assertAll(engine + ": pacer " + decreases + " decreases, " + pacer.increases() + " increases, rate " + rate
                        + "; " + published.get() + " published, " + consumed.get() + " consumed in "
                        + TimeUnit.NANOSECONDS.toMillis(RUN_NANOS) + " ms; " + sub.stats(),
                () -> assertTrue(!producer.isAlive() && !consumer.isAlive(), "threads stopped"),
                () -> assertEquals(List.of(), List.copyOf(failures), "thrown on the test threads"),
                () -> assertTrue(decreases > 0, "the pacer never cut the rate"),
                () -> assertTrue(rate < START_RATE, "the rate did not fall below the start rate " + START_RATE));
    }

    /** Publishes one message; the only place that looks at what publish returns. */
    private static boolean publish(Hub<Integer> hub, int m) {
        return hub.publishAndReport(m).isPublished();
    }
}
