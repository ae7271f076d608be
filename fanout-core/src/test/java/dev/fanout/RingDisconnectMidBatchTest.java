package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code disconnect} ring subscriber that the producer finds too far behind while it is in the
 * middle of a batch: the producer marks it and ends its cursor at the message that overflowed it,
 * then closes it SLOW. A consumer that finishes its batch and reads again before the close must
 * not be handed that message: it counts {@link DropCause#DISCONNECTED}, as on the queue engine.
 * ConcurrencyRaceTest found "SLOW without a DISCONNECTED drop" (offered == delivered) about once
 * in five full runs; this test plays the same interleaving on one thread: the batch's first
 * delivery publishes on and runs the producer's sweep, the consumer reads again, then the
 * producer's close arrives.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingDisconnectMidBatchTest {

    private static final int CAPACITY = 8;

    @Test
    void theMessageThatOverflowedItIsNeverDelivered() {
        Hub<Integer> hub = Hub.<Integer>builder().name("ring-disconnect-mid-batch").engine(Engine.ring(64))
                .capacity(CAPACITY).overflow(Overflow.disconnect()).singlePublisher().build();
        PullSubscription<Integer> pull = hub.subscribe();
        AbstractSubscription<Integer> s = (AbstractSubscription<Integer>) (Object) pull;
        RingCursor<Integer> cursor = (RingCursor<Integer>) s.ledger.lane;
        for (int i = 1; i <= CAPACITY; i++) {
            hub.publish(i); // a full subscriber, not beyond its capacity
        }
        List<Long> seen = new ArrayList<>();
        boolean[] marked = new boolean[1];
        int first = pull.drain((seq, m) -> {
            seen.add(seq);
            if (!marked[0]) {
                // the producer runs on meanwhile and its sweep finds the consumer's published
                // position (the batch's start) more than its capacity behind
                for (int i = 0; i < CAPACITY + 4; i++) {
                    hub.publish(100 + i);
                }
                marked[0] = cursor.tryDisconnect(hub.sequence() - 1); // the ring's cursor: ring sequence = hub sequence - 1
            }
        }, CAPACITY);
        assertTrue(marked[0], "the producer's sweep marks a consumer more than its capacity behind");
        assertEquals(CAPACITY, first, "the batch admitted before the mark is delivered");

        // the consumer reads again before the producer's close reaches it
        while (pull.poll().map(d -> seen.add(d.sequence())).isPresent()) {
            // what it may still take
        }
        s.close(CloseReason.SLOW); // the producer's close, after its mark

        long overflowedAt = CAPACITY + 1; // the first message beyond its capacity from where it stood
        assertFalse(seen.contains(overflowedAt), "the message that overflowed it was delivered: " + seen);
        SubscriptionStats st = pull.stats();
        assertTrue(st.disconnected() > 0, "SLOW without a DISCONNECTED drop: " + st);
        assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), st::toString);
        hub.close();
    }
}
