package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lossless ring subscriber closed while the publisher waits for its room loses what it held
 * to the close, never to a timeout. A close is two steps: the subscription's state changes, then
 * its cursor's end is set where the ring stands. On a loaded machine the closing thread can be
 * descheduled between the two; a publisher that stopped waiting at the first step ran the ring on,
 * the end was set after its publishes, and the subscription counted them as lost for being slow
 * (TIMEOUT, 15 of 20 in a run under load) within milliseconds of a 60 s wait. The test holds the
 * closing thread between the steps, as the scheduler did, and checks the books after the end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingCloseWhileWaitingTest {

    private static final int CAPACITY = 4;
    private static final int MORE = 10;

    @Test
    void closeHeldBetweenItsSteps_countsTheLossAsClosedNotTimedOut() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().name("ring-close-wait").engine(Engine.ring(8)).capacity(CAPACITY)
                .overflow(Overflow.slowProducer(Duration.ofSeconds(60))).singlePublisher().build();
        PullSubscription<Integer> pull = hub.subscribe();
        AbstractSubscription<Integer> s = (AbstractSubscription<Integer>) (Object) pull;
        for (int i = 1; i <= CAPACITY; i++) {
            hub.publish(i);
        }
        Thread publisher = Thread.ofPlatform().name("ring-close-wait-publisher").start(() -> {
            for (int i = 0; i < MORE; i++) {
                hub.publish(100 + i);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (hub.waitingPublisher() == null) {
            assertTrue(System.nanoTime() < deadline, "the publisher never waited for the full subscriber");
            Thread.onSpinWait();
        }

        // the first step of close(): the state changes ...
        assertEquals(Ledger.ENDED, s.ledger.close(CloseReason.CLOSED));
        // ... and the closing thread is held here long enough for a publisher that does not
        // wait for the end to run the ring on
        publisher.join(500);
        // the second step: the end is set, the hub detaches it
        s.lane.ended(s, false);
        hub.ended(s, CloseReason.CLOSED);

        publisher.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(publisher.isAlive(), "the publisher still waits for a closed subscriber");
        SubscriptionStats st = pull.stats();
        assertEquals(0, st.timedOut(), "the close, not a timeout, cost it its messages: " + st);
        assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), st::toString);
        assertEquals(CAPACITY + 1L, st.offered(), "what it held, and the message the publisher waited with: " + st);
        hub.close();
    }
}
