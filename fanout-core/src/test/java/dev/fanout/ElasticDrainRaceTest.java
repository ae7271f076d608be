package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A hub close drains an elastic subscription: every message a worker has taken is delivered,
 * even when another worker (or a caller of {@code isClosed()}) sees the buffer empty and ends the
 * drain while that worker is between its take and its delivery.
 */
class ElasticDrainRaceTest {
    private static final int ROUNDS = 400;
    private static final int MESSAGES = 64;

    @Test
    void everyTakenMessageIsDeliveredWhenTheDrainEnds() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Hub<Integer> hub = Hub.<Integer>builder().capacity(MESSAGES).build();
            AtomicInteger received = new AtomicInteger();
            Subscription<Integer> sub = hub.subscribe(
                    Overflow.elasticWorkers(4, 4, 1, Duration.ofSeconds(5)), (seq, m) -> received.incrementAndGet());
            for (int m = 1; m <= MESSAGES; m++) {
                hub.publish(m);
            }
            hub.close();
            while (!sub.isClosed()) {
                Thread.onSpinWait(); // ends the drain from this thread too, as soon as the buffer is empty
            }
            assertTrue(hub.awaitTermination(Duration.ofSeconds(30)), "round " + round);
            SubscriptionStats s = sub.stats();
            assertEquals(MESSAGES, received.get(), "round " + round + ": " + s);
            assertEquals(MESSAGES, s.delivered(), "round " + round + ": " + s);
            assertEquals(0, s.dropped(), "round " + round + ": " + s);
        }
    }
}
