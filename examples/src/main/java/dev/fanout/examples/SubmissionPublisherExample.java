package dev.fanout.examples;

import dev.fanout.Hub;
import dev.fanout.HubSubscriber;
import dev.fanout.Overflow;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SubmissionPublisher} feeding a hub through {@link HubSubscriber}: the hub's slowest
 * lossless subscriber holds the producer back, through {@code Flow} demand, with nothing lost.
 *
 * <p>A producer submits 300 orders as fast as {@code submit} lets it. The hub has a lossless
 * audit ({@code slowProducer}, a buffer of 16) that takes 2 ms per order, and a dashboard with
 * {@code latestOnly}. The feeder asks its source for at most 8 orders ahead and for more only as
 * {@code publish} returns; when the audit is full, {@code publish} parks, the source's buffer of
 * 32 fills and {@code submit} blocks. So the producer is never more than the audit's buffer and
 * the source's buffer (and the two orders in hand) ahead of the audit.
 * When the source closes, the feeder closes the hub, and both subscribers end after what they
 * hold.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=SubmissionPublisherExample}
 *
 * <p>Expected output (the lead and the dashboard's count shift with timing):
 * <pre>
 * dashboard: 28 reads, last order 300
 * producer: submitted 300, at most 50 ahead of the audit (bound 50)
 * audit: 300 orders, in order: true, dropped 0
 * </pre>
 */
public final class SubmissionPublisherExample {
    /** The audit's buffer, the feeder's batch and the source's buffer per subscriber. */
    static final int AUDIT_BUFFER = 16;
    static final int BATCH = 8;
    static final int SOURCE_BUFFER = 32;

    private SubmissionPublisherExample() {
    }

    public static void main(String[] args) throws Exception {
        int n = 300;
        Hub<Integer> orders = Hub.<Integer>builder().name("orders").build();
        PullSubscription<Integer> audit = orders.subscriber()
                .overflow(Overflow.slowProducer(Duration.ofSeconds(5))).capacity(AUDIT_BUFFER).subscribe();
        PullSubscription<Integer> dashboard = orders.subscribe(Overflow.latestOnly());

        AtomicLong audited = new AtomicLong();
        AtomicLong maxLead = new AtomicLong();
        // @start region="feed"
        try (SubmissionPublisher<Integer> source = new SubmissionPublisher<>(
                r -> Thread.ofVirtual().start(r), SOURCE_BUFFER)) {
            HubSubscriber<Integer> feeder = HubSubscriber.builder(orders)
                    .batchSize(BATCH)            // the source is never more than 8 orders ahead of publish()
                    .closeHubOnComplete()        // the source's end is the hub's
                    .build();
            source.subscribe(feeder);
            Thread.ofVirtual().start(() -> {
                for (int i = 1; i <= n; i++) {
                    source.submit(i);            // blocks while the audit is full
                    maxLead.accumulateAndGet(i - audited.get(), Math::max);
                }
                source.close();
            });
            // @end

            Thread dash = Thread.ofVirtual().start(() -> {
                long[] reads = {0, 0};
                try {
                    while (!dashboard.isClosed()) {
                        dashboard.drain((seq, order) -> {
                            reads[0]++;
                            reads[1] = order;
                        }, 1);
                        Examples.sleep(Duration.ofMillis(25));
                    }
                } finally {
                    System.out.println("dashboard: " + reads[0] + " reads, last order " + reads[1]);
                }
            });

            boolean[] inOrder = {true};
            audit.forEach((seq, order) -> {
                inOrder[0] &= order == audited.get() + 1;
                Examples.sleep(Duration.ofMillis(2));   // a slow, lossless consumer
                audited.set(order);
            });
            feeder.completion().join();
            dash.join();
            System.out.println("producer: submitted " + n + ", at most " + maxLead.get() + " ahead of the audit (bound "
                    + bound() + ")");
            System.out.println("audit: " + audited.get() + " orders, in order: " + inOrder[0]
                    + ", dropped " + audit.stats().dropped());
        }
    }

    /**
     * How far ahead of the audit the producer can be: the audit's buffer, the source's buffer,
     * and two in hand (the order the audit is handling and the one whose publish is parked).
     * The feeder's batch adds nothing: what it requested is still in the source's buffer.
     */
    static int bound() {
        return AUDIT_BUFFER + SOURCE_BUFFER + 2;
    }
}
