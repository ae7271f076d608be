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

/**
 * Drop oldest: a slow consumer behind a small buffer sees the newest messages; the oldest queued
 * ones make room and are counted as dropped.
 *
 * <p>The producer publishes 1, 2, 3 ... every 25 ms; the consumer takes one message every 100 ms
 * from a buffer of 4. When the buffer is full, the publish discards the oldest queued message
 * and says so in its {@link PublishResult}; the consumer sees a jump in the sequence numbers.
 * When the producer stops, the hub is closed and the consumer drains what the buffer holds:
 * exactly the 4 newest messages.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=DropOldestExample -Dexec.args=2s}
 *
 * <p>Expected output (timing shifts the exact numbers):
 * <pre>
 * producer: published 1
 * consumer: got 1
 * ...
 * producer: published 6, dropped the oldest queued message to make room
 * consumer: got 7 (missed 3..6)
 * ...
 * published=80 seen=24 dropped.oldest=56
 * last seen=[77, 78, 79, 80] (the newest published: true)
 * </pre>
 */
public final class DropOldestExample {
    private DropOldestExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(2));

        // @start region="subscribe"
        Hub<Integer> hub = Hub.<Integer>builder().name("drop-oldest").capacity(4).build();
        PullSubscription<Integer> slow = hub.subscribe(Overflow.dropOldest());
        // @end

        List<Integer> seen = new ArrayList<>();
        Thread consumer = Thread.ofVirtual().name("slow-consumer").start(() -> {
            long expected = 1;
            while (true) {
                Optional<Delivery<Integer>> d = slow.await(Duration.ofSeconds(1));
                if (d.isEmpty()) {
                    if (slow.isClosed()) {
                        return; // the hub closed and everything it held was delivered
                    }
                    continue;
                }
                long seq = d.get().sequence();
                System.out.println("consumer: got " + d.get().message()
                        + (seq > expected ? " (missed " + expected + ".." + (seq - 1) + ")" : ""));
                expected = seq + 1;
                seen.add(d.get().message());
                Examples.sleep(Duration.ofMillis(100)); // a slow consumer
            }
        });

        long start = System.nanoTime();
        int published = 0;
        while (System.nanoTime() - start < runFor.toNanos()) {
            PublishResult r = hub.publishAndReport(++published);
            System.out.println("producer: published " + published
                    + (r.dropped(DropCause.OLDEST) > 0 ? ", dropped the oldest queued message to make room" : ""));
            Examples.sleep(Duration.ofMillis(25));
        }
        hub.close(); // no more messages; the consumer still gets what the buffer holds
        consumer.join();

        SubscriptionStats stats = slow.stats();
        List<Integer> last = seen.subList(Math.max(0, seen.size() - 4), seen.size());
        List<Integer> newest = new ArrayList<>();
        for (int m = Math.max(1, published - 3); m <= published; m++) {
            newest.add(m);
        }
        System.out.println("published=" + published + " seen=" + seen.size() + " dropped.oldest=" + stats.oldest());
        System.out.println("last seen=" + last + " (the newest published: " + last.equals(newest) + ")");
    }
}
