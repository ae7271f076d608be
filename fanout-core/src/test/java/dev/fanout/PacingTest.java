package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code slowProducer} with a {@link Pacer}: a producer that calls {@code pace()} before each
 * publish settles at the pace of a fixed-rate consumer, without ever finding it full.
 *
 * <p>The subscriber waits zero time for room ({@code slowProducer(ZERO)}), so the blocking
 * backstop is off: if the pacer let the producer run ahead until the buffer filled, the publish
 * would report {@link DropCause#TIMEOUT}; if it held the producer back, the consumer would starve
 * and both rates would fall below the consumer's capacity.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacingTest {

    private static final double CONSUMER_RATE = 200; // messages per second
    private static final int CAPACITY = 256;
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(4);
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(6);
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    @Test
    void aimdPacer_producerConvergesToTheConsumersRate_withoutLoss() throws Exception {
        // starts at twice the consumer's pace: it must come down, without the 1000/s default's
        // warm-up burst that nearly fills the buffer when the machine is busy
        Pacer pacer = Pacer.aimd().initialRate(2 * CONSUMER_RATE).build();
        Run run = new Run(pacer);
        run.go();
        String trace = run.trace();
        System.out.println(trace);
        assertEquals(0, run.timedOut.get(), "publishes that found the subscriber full (TIMEOUT):\n" + trace);
        double producerRate = run.producerRate();
        double consumerRate = run.consumerRate();
        assertTrue(Math.abs(producerRate - CONSUMER_RATE) <= 0.1 * CONSUMER_RATE,
                "producer rate " + producerRate + " not within 10% of " + CONSUMER_RATE + ":\n" + trace);
        assertTrue(Math.abs(consumerRate - CONSUMER_RATE) <= 0.1 * CONSUMER_RATE,
                "consumer rate " + consumerRate + " not within 10% of its capacity " + CONSUMER_RATE
                        + " (starved or slowed):\n" + trace);
    }

    /** One producer, one fixed-rate consumer, a sampler. */
    static final class Run {
        final Pacer pacer;
        final Hub<Integer> hub;
        final PullSubscription<Integer> sub;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong published = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong timedOut = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        final List<String> samples = new ArrayList<>();
        long windowPublished;
        long windowConsumed;
        long windowNanos;

        Run(Pacer pacer) {
            this.pacer = pacer;
            this.hub = Hub.<Integer>builder().name("paced").capacity(CAPACITY).pacer(pacer)
                    .overflow(Overflow.slowProducer(Duration.ZERO)).build();
            this.sub = hub.subscribe();
        }

        void go() throws InterruptedException {
            Thread producer = Thread.ofPlatform().name("test-paced-producer").start(() -> {
                int i = 0;
                while (running.get()) {
                    pacer.pace();
                    PublishResult r = hub.publishAndReport(i++);
                    published.incrementAndGet();
                    timedOut.addAndGet(r.timedOut());
                }
            });
            Thread consumer = Thread.ofPlatform().name("test-fixed-rate-consumer").start(() -> {
                long gap = (long) (1e9 / CONSUMER_RATE);
                long next = System.nanoTime();
                long expected = 1;
                while (running.get()) {
                    next += gap;
                    long wait;
                    while ((wait = next - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    Optional<Delivery<Integer>> d = sub.poll();
                    if (d.isEmpty()) {
                        d = sub.await(Duration.ofMillis(100)); // starved: capacity is lost, not banked
                        next = Math.max(next, System.nanoTime());
                    }
                    if (d.isPresent()) {
                        if (d.get().sequence() != expected) {
                            lost.addAndGet(d.get().sequence() - expected);
                        }
                        expected = d.get().sequence() + 1;
                        consumed.incrementAndGet();
                    }
                }
            });
            long start = System.nanoTime();
            long windowStart = start + WARM_UP_NANOS;
            long end = windowStart + WINDOW_NANOS;
            long p0 = 0;
            long c0 = 0;
            long sample = start;
            long lastP = 0;
            long lastC = 0;
            while (System.nanoTime() - end < 0) {
                sample += SAMPLE_NANOS;
                long wait;
                while ((wait = sample - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                long p = published.get();
                long c = consumed.get();
                if (sample - windowStart >= 0 && p0 == 0 && c0 == 0) {
                    p0 = p;
                    c0 = c;
                    windowNanos = end - sample;
                }
                samples.add(String.format("t=%5dms rate=%7.1f published/s=%5.0f consumed/s=%5.0f depth=%3d timeouts=%d",
                        TimeUnit.NANOSECONDS.toMillis(sample - start), pacer.rate(),
                        (p - lastP) * 1e9 / SAMPLE_NANOS, (c - lastC) * 1e9 / SAMPLE_NANOS,
                        sub.stats().depth(), timedOut.get()));
                lastP = p;
                lastC = c;
            }
            windowPublished = published.get() - p0;
            windowConsumed = consumed.get() - c0;
            running.set(false);
            hub.close();
            producer.join(10_000);
            consumer.join(10_000);
            assertFalse(producer.isAlive() || consumer.isAlive(), "threads did not stop");
            assertEquals(0, lost.get(), "sequence gaps seen by the consumer");
        }

        double producerRate() {
            return windowPublished * 1e9 / windowNanos;
        }

        double consumerRate() {
            return windowConsumed * 1e9 / windowNanos;
        }

        String trace() {
            return String.join("\n", samples) + String.format(
                    "%nwindow: producer %.1f/s, consumer %.1f/s, pacer decreases=%d increases=%d, stats=%s",
                    producerRate(), consumerRate(), pacer.decreases(), pacer.increases(), sub.stats());
        }
    }
}
