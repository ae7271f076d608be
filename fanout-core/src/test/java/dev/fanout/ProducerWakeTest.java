package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A publisher waiting for room in a lossless subscriber must not depend on the consumer's
 * wake-up: consumers take without a fence, so one can miss a publisher that announces itself at
 * the same instant, and the publisher then has to find the room by itself at its next bounded
 * park. The race is too narrow to provoke on demand (on x86 another locked instruction on the
 * consumer's path closes it in practice), so the test makes the lost wake-up certain: it takes
 * the message straight from the buffer, past the code that unparks the publisher, while the
 * publisher is parked with an hour left to wait. The publish must still complete within seconds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProducerWakeTest {

    private static final Duration HOUR = Duration.ofHours(1);

    /** Odd repetitions on the queue engine, even ones on the ring. */
    @RepeatedTest(6)
    void wakeUpLost_parkedPublisherFindsTheRoomByItself(RepetitionInfo info) throws Exception {
        boolean ring = info.getCurrentRepetition() % 2 == 0;
        int room = 1; // the subscription's capacity, held on both engines
        try (Hub<Long> hub = Hub.<Long>builder()
                .name("wake-race")
                .engine(ring ? Engine.ring(2) : Engine.queues())
                .capacity(1)
                .overflow(Overflow.slowProducer(HOUR))
                .singlePublisher()
                .build()) {
            PullSubscription<Long> pull = hub.subscribe();
            AbstractSubscription<Long> sub = (AbstractSubscription<Long>) (Object) pull;
            for (long i = 1; i <= room; i++) {
                assertEquals(1, hub.publishAndReport(i).accepted(), "fills the room");
            }
            AtomicReference<PublishResult> result = new AtomicReference<>();
            Thread publisher = Thread.ofPlatform().name("wake-race-publisher")
                    .start(() -> result.set(hub.publishAndReport(room + 1L)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (hub.waitingPublisher() != publisher || LockSupport.getBlocker(publisher) == null) {
                assertFalse(System.nanoTime() - deadline > 0, "the publisher never parked for room");
                Thread.onSpinWait();
            }
            Delivery<Long> taken = sub.lane.poll(sub); // makes room without unparking anyone
            assertNotNull(taken);
            assertEquals(1L, taken.message());
            sub.ledger.delivered(1, taken.sequence()); // counted as the consumer's poll would count it

            publisher.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(publisher.isAlive(), "the publisher is still parked after the room was made");
            PublishResult r = result.get();
            assertEquals(1, r.accepted(), "the waiting message is accepted, not timed out: " + r);
            assertEquals(0, r.timedOut());
            for (long expected = 2; expected <= room + 1L; expected++) {
                assertEquals(expected, pull.poll().orElseThrow().message(), "the rest, in order");
            }
        }
    }
}
