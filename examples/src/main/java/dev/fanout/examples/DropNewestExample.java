package dev.fanout.examples;

import dev.fanout.Delivery;
import dev.fanout.DropCause;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PublishResult;
import dev.fanout.PullSubscription;
import dev.fanout.Subscription;
import dev.fanout.SubscriptionStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Drop newest: what is queued stays queued; a message that finds the buffer full is not queued
 * for that subscriber, and the publish says so.
 *
 * <p>The producer publishes 1, 2, 3 ... every 25 ms; the consumer takes one message every 100 ms
 * from a buffer of 4. Unlike drop-oldest, the consumer sees the oldest messages (1, 2, 3, 4 and
 * then whichever found room), and the producer knows exactly which messages it lost: each
 * {@link PublishResult} reports {@code dropped(NEWEST)} for its own message. Every message is
 * either seen or dropped, never both.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=DropNewestExample -Dexec.args=2s}
 *
 * <p>Expected output (timing shifts the exact numbers):
 * <pre>
 * producer: published 1
 * consumer: got 1
 * ...
 * producer: dropped 7 (buffer full)
 * consumer: got 3
 * ...
 * published=80 seen=24 dropped.newest=56
 * first seen=[1, 2, 3, 4]
 * dropped by the producer=[7, 8, 10, ...]
 * seen and dropped overlap: false, together all published: true
 * </pre>
 */
public final class DropNewestExample {
    private DropNewestExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(2));

        // @start region="subscribe"
        Hub<Integer> hub = Hub.<Integer>builder().name("drop-newest").capacity(4).build();
        PullSubscription<Integer> slow = hub.subscribe(Overflow.dropNewest());
        // @end

        List<Integer> seen = new ArrayList<>();
        Thread consumer = Thread.ofVirtual().name("slow-consumer").start(() -> {
            while (true) {
                Optional<Delivery<Integer>> d = slow.await(Duration.ofSeconds(1));
                if (d.isEmpty()) {
                    if (slow.isClosed()) {
                        return;
                    }
                    continue;
                }
                System.out.println("consumer: got " + d.get().message());
                seen.add(d.get().message());
                Examples.sleep(Duration.ofMillis(100)); // a slow consumer
            }
        });

        List<Integer> dropped = new ArrayList<>();
        long start = System.nanoTime();
        int published = 0;
        while (System.nanoTime() - start < runFor.toNanos()) {
            // @start region="publish"
            PublishResult r = hub.publishAndReport(++published);
            if (r.dropped(DropCause.NEWEST) > 0) {  // this message did not fit: the producer knows which
                System.out.println("producer: dropped " + published + " (buffer full)");
                dropped.add(published);
            } else {
                System.out.println("producer: published " + published);
            }
            // @end
            Examples.sleep(Duration.ofMillis(25));
        }
        hub.close();
        consumer.join();

        SubscriptionStats stats = slow.stats();
        List<Integer> all = new ArrayList<>(seen);
        all.addAll(dropped);
        all.sort(null);
        boolean overlap = seen.stream().anyMatch(dropped::contains);
        boolean complete = all.equals(IntStream.rangeClosed(1, published).boxed().toList());
        System.out.println("published=" + published + " seen=" + seen.size() + " dropped.newest=" + stats.newest());
        System.out.println("first seen=" + seen.subList(0, Math.min(4, seen.size())));
        System.out.println("dropped by the producer=" + dropped);
        System.out.println("seen and dropped overlap: " + overlap + ", together all published: " + complete);
    }
}
