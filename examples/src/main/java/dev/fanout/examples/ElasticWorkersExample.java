package dev.fanout.examples;

import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PublishResult;
import dev.fanout.Subscription;
import dev.fanout.SubscriptionStats;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Elastic workers: when one subscriber's work can run in parallel, a backlog adds workers (up
 * to a maximum) instead of slowing the producer or dropping messages; idle workers retire.
 *
 * <p>Documents arrive in three phases: a trickle (one every 100 ms), a burst (one every 6 ms)
 * and silence. Handling a document takes 50 ms, so one worker handles 20 a second. The
 * subscription runs between 1 and 8 workers, adds one while more than 4 documents wait, and a
 * worker above 1 retires after 300 ms without work. Every document is handled exactly once;
 * the order is not kept.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=ElasticWorkersExample -Dexec.args=4s}
 *
 * <p>Expected output: the worker count every 200 ms, rising in the burst and falling back to 1
 * in the silence, then a summary:
 * <pre>
 * t=  200ms  trickle  workers 1  backlog  0  handled    2
 * t= 1200ms  burst    workers 8  backlog 23  handled   61
 * t= 3800ms  silence  workers 1  backlog  0  handled  181
 * peak workers=8 workers at the end=1 (min 1)
 * published=181 handled=181 handled twice=0 timeouts=0
 * </pre>
 */
public final class ElasticWorkersExample {
    private static final Duration WORK = Duration.ofMillis(50);

    private ElasticWorkersExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(4));
        long trickleEnd = runFor.toNanos() / 4;
        long burstEnd = trickleEnd + runFor.toNanos() * 3 / 10; // the rest, 45%, is silence

        Set<Long> handled = ConcurrentHashMap.newKeySet();
        AtomicLong handledTwice = new AtomicLong();
        Hub<String> documents = Hub.<String>builder().name("documents").capacity(256).build();
        // @start region="subscribe"
        Subscription<String> workers = documents.subscribe(
                Overflow.elasticWorkers(1, 8, 4, Duration.ofMillis(300)),   // min, max, backlog, idle
                (seq, doc) -> {                                             // runs on up to 8 threads at once
                    Examples.sleep(WORK);                                   // "process the document"
                    if (!handled.add(seq)) {
                        handledTwice.incrementAndGet();
                    }
                });
        // @end

        long start = System.nanoTime();
        AtomicLong timeouts = new AtomicLong();
        Thread producer = Thread.ofPlatform().name("producer").start(() -> {
            long next = start;
            int n = 0;
            while (System.nanoTime() - start < burstEnd) {
                PublishResult r = documents.publishAndReport("document " + ++n);
                timeouts.addAndGet(r.timedOut());
                next += (System.nanoTime() - start < trickleEnd ? Duration.ofMillis(100) : Duration.ofMillis(6)).toNanos();
                Examples.sleepUntil(next);
            }
        });

        long sample = Duration.ofMillis(200).toNanos();
        for (long t = sample; t <= runFor.toNanos(); t += sample) {
            Examples.sleepUntil(start + t);
            SubscriptionStats s = workers.stats();
            String phase = t <= trickleEnd ? "trickle" : t <= burstEnd ? "burst" : "silence";
            System.out.printf("t=%5dms  %-7s  workers %d  backlog %2d  handled %4d%n",
                    t / 1_000_000, phase, s.workers(), s.depth(), s.delivered());
        }
        producer.join();
        int workersAtEnd = workers.stats().workers();
        documents.close();
        documents.awaitTermination(Duration.ofSeconds(10)); // the workers finish what is queued

        SubscriptionStats s = workers.stats();
        System.out.println("peak workers=" + s.peakWorkers() + " workers at the end=" + workersAtEnd + " (min 1)");
        System.out.println("published=" + documents.sequence() + " handled=" + handled.size()
                + " handled twice=" + handledTwice.get() + " timeouts=" + timeouts.get());
    }
}
