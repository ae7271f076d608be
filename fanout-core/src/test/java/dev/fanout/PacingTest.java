package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link Pacer}'s control loop against a simulated lossless subscriber, on a simulated
 * clock: a producer publishing at {@link Pacer#rate()}, a consumer taking a fixed number of
 * messages per second from a buffer of 256, and the fill of that buffer fed to
 * {@link Pacer#observe(double, long)} as often as a hub samples it. Deterministic and instant;
 * that a hub feeds the pacer on either engine is {@link PacerFeedTest}'s part.
 *
 * <p>A pacer that works brings the producer to the consumer's pace without ever letting the
 * buffer fill (the publish would wait: {@code slowProducer}'s backstop) and without holding it
 * back so far that the consumer starves.
 */
class PacingTest {

    private static final int CAPACITY = 256;
    private static final long STEP = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aimdPacer_producerConvergesToTheConsumersRate_neverFillingNorStarvingIt() {
        Simulation sim = new Simulation(Pacer.aimd().initialRate(400).build(), 200);
        sim.run(TimeUnit.SECONDS.toNanos(20)); // warm-up: the rate comes down from twice the consumer's
        sim.resetWindow();
        sim.run(TimeUnit.SECONDS.toNanos(60));
        String trace = sim.trace();
        assertEquals(0, sim.full, "publishes that found the buffer full:\n" + trace);
        assertTrue(sim.pacer.decreases() > 0, "the rate never came down:\n" + trace);
        assertWithin(200, sim.producerRate(), "producer rate", trace);
        assertWithin(200, sim.consumerRate(), "consumer rate (below it: starved)", trace);
    }

    @Test
    void aimdPacer_followsAConsumerThatSlowsDown_andOneThatSpeedsUpAgain() {
        Simulation sim = new Simulation(Pacer.aimd().initialRate(400).build(), 400);
        sim.run(TimeUnit.SECONDS.toNanos(20));
        sim.consumerRate = 100; // a quarter of the pace it had
        sim.run(TimeUnit.SECONDS.toNanos(20));
        sim.resetWindow();
        sim.run(TimeUnit.SECONDS.toNanos(40));
        assertEquals(0, sim.full, "publishes that found the buffer full:\n" + sim.trace());
        assertWithin(100, sim.producerRate(), "producer rate after the slow-down", sim.trace());

        sim.consumerRate = 300;
        sim.run(TimeUnit.SECONDS.toNanos(40)); // additive increase: +10/s per 50 ms interval
        sim.resetWindow();
        sim.run(TimeUnit.SECONDS.toNanos(40));
        assertEquals(0, sim.full, "publishes that found the buffer full:\n" + sim.trace());
        assertWithin(300, sim.producerRate(), "producer rate after the speed-up", sim.trace());
    }

    private static void assertWithin(double expected, double actual, String what, String trace) {
        assertTrue(Math.abs(actual - expected) <= 0.1 * expected,
                what + " " + actual + " not within 10% of " + expected + ":\n" + trace);
    }

    /** One producer, one buffer, one fixed-rate consumer, stepped one millisecond at a time. */
    private static final class Simulation {
        final Pacer pacer;
        double consumerRate;
        long now = System.nanoTime(); // the pacer's first interval ends one interval after it was built
        long nextSample = now;
        int depth;
        double produceCredit;
        double consumeCredit;
        long full;
        long published;
        long consumed;
        long windowStart = now;
        long windowPublished;
        long windowConsumed;
        final List<String> samples = new ArrayList<>();

        Simulation(Pacer pacer, double consumerRate) {
            this.pacer = pacer;
            this.consumerRate = consumerRate;
        }

        void run(long nanos) {
            long end = now + nanos;
            while (now - end < 0) {
                now += STEP;
                produceCredit += pacer.rate() * STEP / 1e9;
                for (; produceCredit >= 1; produceCredit--) {
                    if (depth == CAPACITY) {
                        full++; // slowProducer would wait here
                        continue;
                    }
                    depth++;
                    published++;
                    if (now - nextSample >= 0) { // a hub samples the fill eight times per interval
                        pacer.observe((double) depth / CAPACITY, now);
                        nextSample = now + pacer.samplePeriodNanos();
                    }
                }
                consumeCredit += consumerRate * STEP / 1e9;
                for (; consumeCredit >= 1; consumeCredit--) {
                    if (depth == 0) {
                        consumeCredit = 0; // starved: the capacity is lost, not banked
                        break;
                    }
                    depth--;
                    consumed++;
                }
                if ((now - windowStart) % TimeUnit.SECONDS.toNanos(1) < STEP && samples.size() < 400) {
                    samples.add(String.format("t=%4ds rate=%6.1f depth=%3d published=%d consumed=%d",
                            TimeUnit.NANOSECONDS.toSeconds(now - windowStart), pacer.rate(), depth, published, consumed));
                }
            }
        }

        void resetWindow() {
            windowStart = now;
            windowPublished = published;
            windowConsumed = consumed;
            samples.clear();
        }

        double producerRate() {
            return (published - windowPublished) * 1e9 / (now - windowStart);
        }

        double consumerRate() {
            return (consumed - windowConsumed) * 1e9 / (now - windowStart);
        }

        String trace() {
            return String.join("\n", samples) + String.format("%nwindow: producer %.1f/s, consumer %.1f/s, pacer %s,"
                    + " decreases=%d increases=%d", producerRate(), consumerRate(), pacer, pacer.decreases(),
                    pacer.increases());
        }
    }
}
