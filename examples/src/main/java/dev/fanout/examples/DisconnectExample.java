package dev.fanout.examples;

import dev.fanout.CloseReason;
import dev.fanout.Delivery;
import dev.fanout.DropCause;
import dev.fanout.HubStats;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PublishResult;
import dev.fanout.PullSubscription;
import dev.fanout.Subscription;
import dev.fanout.SubscriptionStats;
import dev.fanout.spi.HubListener;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Disconnect: a subscriber that stops keeping up is closed with reason {@code SLOW} and its
 * buffer freed, so it costs neither the producer nor the other subscribers anything. It can
 * reconnect and resume (see {@link ResumeAfterDisconnectExample}).
 *
 * <p>The producer publishes every 5 ms to two clients with {@code disconnect}. The healthy one
 * reads everything. The stalled one reads 20 messages and then stops reading (a client whose
 * network stalled); its buffer of 16 fills, and the publish that finds it full closes it. A
 * {@link HubListener} reports the close; the stalled client learns it when it reads again.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=DisconnectExample -Dexec.args=1s}
 *
 * <p>Expected output (the message numbers shift with timing):
 * <pre>
 * stalled client: read 20 messages, now stops reading
 * listener: a subscription closed: SLOW
 * producer: message 37 found the stalled client full and disconnected it
 * stalled client: disconnected (SLOW) after reading 20, last sequence 20; it may resume from there
 * published=200 subscribers left=1 disconnects=1
 * healthy client: read=200 gaps=0
 * stalled client: read=20 dropped.disconnected=17 close reason=SLOW
 * </pre>
 */
public final class DisconnectExample {
    private DisconnectExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(1));

        HubListener listener = new HubListener() {
            @Override
            public void onClose(Subscription<?> subscription, CloseReason reason) {
                if (reason == CloseReason.SLOW) {
                    System.out.println("listener: a subscription closed: " + reason);
                }
            }
        };
        // @start region="subscribe"
        Hub<Integer> hub = Hub.<Integer>builder().name("disconnect").listener(listener).build();
        PullSubscription<Integer> healthy = hub.subscriber().overflow(Overflow.disconnect()).capacity(1024).subscribe();
        PullSubscription<Integer> stalled = hub.subscriber().overflow(Overflow.disconnect()).capacity(16).subscribe();
        // @end

        AtomicLong healthyRead = new AtomicLong();
        AtomicLong healthyGaps = new AtomicLong();
        Thread h = Thread.ofVirtual().start(() -> {
            long expected = 1;
            while (true) {
                Optional<Delivery<Integer>> d = healthy.await(Duration.ofSeconds(1));
                if (d.isEmpty()) {
                    if (healthy.isClosed()) {
                        return;
                    }
                    continue;
                }
                healthyGaps.addAndGet(d.get().sequence() - expected);
                expected = d.get().sequence() + 1;
                healthyRead.incrementAndGet();
            }
        });
        long start = System.nanoTime();
        Thread s = Thread.ofVirtual().start(() -> {
            int read = 0;
            while (read < 20) {
                if (stalled.await(Duration.ofSeconds(1)).isPresent()) {
                    read++;
                }
            }
            System.out.println("stalled client: read 20 messages, now stops reading");
            Examples.sleepUntil(start + runFor.toNanos()); // stalled until the end of the run
            // @start region="notice"
            Optional<Delivery<Integer>> next = stalled.poll();   // empty: the subscription has ended
            if (next.isEmpty() && stalled.closeReason().orElse(null) == CloseReason.SLOW) {
                System.out.println("stalled client: disconnected (SLOW) after reading " + read
                        + ", last sequence " + stalled.lastSequence() + "; it may resume from there");
            }
            // @end
        });

        int published = 0;
        while (System.nanoTime() - start < runFor.toNanos()) {
            PublishResult r = hub.publishAndReport(++published);
            if (r.disconnected() > 0) {
                System.out.println("producer: message " + published + " found the stalled client full and disconnected it");
            }
            Examples.sleep(Duration.ofMillis(5));
        }
        s.join();
        int left = hub.subscriberCount();
        hub.close();
        h.join();

        HubStats hs = hub.stats();
        SubscriptionStats ss = stalled.stats();
        System.out.println("published=" + published + " subscribers left=" + left
                + " disconnects=" + hs.disconnects());
        System.out.println("healthy client: read=" + healthyRead.get() + " gaps=" + healthyGaps.get());
        System.out.println("stalled client: read=" + ss.delivered() + " dropped.disconnected="
                + ss.dropped(DropCause.DISCONNECTED) + " close reason=" + stalled.closeReason().orElse(null));
    }
}
