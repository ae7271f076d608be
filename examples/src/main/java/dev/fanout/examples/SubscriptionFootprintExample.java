package dev.fanout.examples;

import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Subscription;
import dev.fanout.PullSubscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one subscription costs on the heap, by strategy and capacity: the memory part of
 * "memory per connection" (each SSE connection holds one subscription).
 *
 * <p>For each configuration it attaches 10,000 pull subscriptions to an idle hub and measures
 * the heap in use after a full GC, before and after; three rounds, the median is printed. The
 * buffers are empty, so this is the fixed cost: what a connection costs before any message is
 * queued. Queued messages are shared {@code Delivery} objects: a message published to 10,000
 * subscribers exists once.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=SubscriptionFootprintExample}
 * (the argument, optional, is the number of subscriptions per round).
 *
 * <p>Expected output (bytes vary with the JVM and its flags):
 * <pre>
 * drop-newest  capacity   64: 1234 bytes per subscription
 * drop-newest  capacity 1024: 5123 bytes per subscription
 * ...
 * </pre>
 */
public final class SubscriptionFootprintExample {
    private SubscriptionFootprintExample() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        measure("drop-newest ", 64, Overflow.dropNewest(), n);
        measure("drop-newest ", 1024, Overflow.dropNewest(), n);
        measure("drop-oldest ", 64, Overflow.dropOldest(), n);
        measure("slow-producer", 64, Overflow.slowProducer(Overflow.DEFAULT_MAX_WAIT), n);
        measure("latest-only ", 64, Overflow.latestOnly(), n);
        measure("latest-per-key", 64, Overflow.latestPerKey(Object::toString), n);
    }

    private static void measure(String name, int capacity, Overflow overflow, int n) {
        long[] perSubscription = new long[3];
        for (int round = 0; round < perSubscription.length; round++) {
            Hub<String> hub = Hub.<String>builder().capacity(capacity).build();
            long before = usedAfterGc();
            List<PullSubscription<String>> subs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                subs.add(hub.subscribe(overflow));
            }
            long after = usedAfterGc();
            perSubscription[round] = (after - before) / n;
            if (subs.size() != hub.subscriberCount()) {
                throw new AssertionError("subscriptions lost");
            }
            hub.close();
        }
        Arrays.sort(perSubscription);
        System.out.printf("%-14s capacity %4d: %d bytes per subscription%n", name.strip(), capacity, perSubscription[1]);
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
