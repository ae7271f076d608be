package dev.fanout.examples;

import dev.fanout.Delivery;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Pacer;
import dev.fanout.PublishResult;
import dev.fanout.PullSubscription;
import dev.fanout.Subscription;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slow producer with AIMD feedback: the producer is paced to its subscriber's speed, slows down
 * when the subscriber slows down and speeds up again when it recovers. Nothing is lost.
 *
 * <p>One lossless subscriber ({@code slowProducer}) reads at a fixed rate that changes in three
 * phases: 200/s, then 40/s, then 200/s again. The hub reports to a {@link Pacer} how full the
 * subscriber's buffer is after every publish; once per 50 ms interval the pacer cuts its rate
 * (times 0.7) when the buffer is half full and not emptying, and raises it (+20/s) when it is
 * at most a quarter full. The producer calls {@link Pacer#pace()} before each publish. The
 * blocking of {@code slowProducer} stays the backstop, so the publish never has to give up.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=SlowProducerPacingExample
 * -Dexec.args=6s} (the argument is the whole run, split into three equal phases).
 *
 * <p>Expected output: eight lines per phase with the pacer's rate and the delay between publishes
 * it implies ({@code slower} when it cut the rate in that period, {@code faster} when it raised
 * it); then per phase the producer's rate over the phase's second half, close to the consumer's;
 * then a summary with no gaps and no timeouts:
 * <pre>
 * t=  250ms  phase 1 (consumer 200/s)  pacer  185.0/s  delay   5.41 ms  depth  3/32  faster
 * ...
 * t= 2250ms  phase 2 (consumer  40/s)  pacer   48.1/s  delay  20.79 ms  depth 17/32  slower
 * ...
 * phase 1: consumer 200/s, producer settled at 196/s
 * phase 2: consumer 40/s, producer settled at 42/s
 * phase 3: consumer 200/s, producer settled at 189/s
 * summary: published=1234 consumed=1234 gaps=0 timeouts=0 cuts=17 raises=52
 * </pre>
 */
public final class SlowProducerPacingExample {
    private static final int[] CONSUMER_RATES = {200, 40, 200};

    private SlowProducerPacingExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(6));
        long phaseNanos = runFor.toNanos() / CONSUMER_RATES.length;

        // @start region="setup"
        Pacer pacer = Pacer.aimd()
                .initialRate(100)                  // messages per second to start with
                .range(5, 5_000)
                .increase(20)                      // additive increase: +20/s per calm interval
                .decreaseFactor(0.7)               // multiplicative decrease: x0.7 under pressure
                .marks(0.25, 0.5)                  // calm at <= 1/4 full, pressure at >= 1/2 full
                .interval(Duration.ofMillis(50))
                .build();
        Hub<Integer> hub = Hub.<Integer>builder().name("paced").capacity(32).pacer(pacer).build();
        PullSubscription<Integer> consumer = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(5)));
        // @end

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        AtomicLong gaps = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        AtomicLong expected = new AtomicLong(1);
        long start = System.nanoTime();

        Thread producer = Thread.ofPlatform().name("producer").start(() -> {
            // @start region="producer"
            int i = 0;
            while (running.get()) {
                pacer.pace();                      // waits 1/rate since the last turn
                PublishResult r = hub.publishAndReport(i++);
                timeouts.addAndGet(r.timedOut());  // stays 0: the pacer keeps the buffer from filling
                published.incrementAndGet();
            }
            // @end
        });
        Thread reader = Thread.ofPlatform().name("consumer").start(() -> {
            long next = System.nanoTime();
            while (running.get()) {
                int phase = (int) Math.min(CONSUMER_RATES.length - 1, (System.nanoTime() - start) / phaseNanos);
                next += 1_000_000_000L / CONSUMER_RATES[phase];
                Examples.sleepUntil(next);
                Optional<Delivery<Integer>> d = consumer.poll();
                if (d.isEmpty()) {
                    d = consumer.await(Duration.ofMillis(100));
                    next = Math.max(next, System.nanoTime()); // starved: unused capacity is not saved up
                    if (d.isEmpty()) {
                        continue;
                    }
                }
                gaps.addAndGet(d.get().sequence() - expected.get());
                expected.set(d.get().sequence() + 1);
                consumed.incrementAndGet();
            }
        });

        int samplesPerPhase = 8;
        long sampleNanos = phaseNanos / samplesPerPhase;
        long[] publishedAt = new long[CONSUMER_RATES.length * samplesPerPhase + 1];
        long cuts = 0;
        long raises = 0;
        for (int k = 1; k < publishedAt.length; k++) {
            Examples.sleepUntil(start + k * sampleNanos);
            publishedAt[k] = published.get();
            int phase = (k - 1) / samplesPerPhase;
            double rate = pacer.rate();
            String trend = pacer.decreases() > cuts ? "slower" : pacer.increases() > raises ? "faster" : "";
            cuts = pacer.decreases();
            raises = pacer.increases();
            System.out.printf("t=%5dms  phase %d (consumer %3d/s)  pacer %6.1f/s  delay %6.2f ms  depth %2d/%d  %s%n",
                    k * sampleNanos / 1_000_000, phase + 1, CONSUMER_RATES[phase], rate, 1000 / rate,
                    consumer.stats().depth(), consumer.capacity(), trend);
        }
        running.set(false);
        producer.join();
        reader.join();
        hub.close();
        consumer.drain((seq, m) -> { // the reader has stopped: take what it left, checking the order
            gaps.addAndGet(seq - expected.get());
            expected.set(seq + 1);
            consumed.incrementAndGet();
        }, Integer.MAX_VALUE);

        for (int p = 0; p < CONSUMER_RATES.length; p++) {
            // the second half of each phase, once the pacer has found the new pace
            long settled = publishedAt[(p + 1) * samplesPerPhase] - publishedAt[p * samplesPerPhase + samplesPerPhase / 2];
            System.out.printf("phase %d: consumer %d/s, producer settled at %.0f/s%n",
                    p + 1, CONSUMER_RATES[p], settled * 1e9 / (sampleNanos * (samplesPerPhase / 2)));
        }
        System.out.printf("summary: published=%d consumed=%d gaps=%d timeouts=%d cuts=%d raises=%d%n",
                published.get(), consumed.get(), gaps.get(), timeouts.get(), pacer.decreases(), pacer.increases());
    }
}
