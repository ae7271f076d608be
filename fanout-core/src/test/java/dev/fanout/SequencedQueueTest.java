package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one-consumer FIFO queues bare messages and the consumer numbers them; these check the
 * numbers stay the hub's wherever this subscriber's stream skips some: a refused offer, a
 * subscription that starts late, a timeout of a slowed producer.
 */
class SequencedQueueTest {

    @Test
    void afterARefusedOffer_theNextMessageKeepsItsOwnNumber() {
        Hub<String> hub = Hub.<String>builder().build();
        PullSubscription<String> s = hub.subscriber().capacity(2).overflow(Overflow.dropNewest()).subscribe();
        for (int i = 0; i < 3; i++) {
            hub.publish("m" + i); // sequences 1 and 2 fit, 3 is refused
        }
        assertEquals(List.of(1L, 2L), drained(s));
        hub.publish("m3");
        hub.publish("m4");
        Delivery<String> polled = s.poll().orElseThrow();
        assertEquals(4L, polled.sequence(), "poll numbers the first after the refused one");
        assertEquals("m3", polled.message());
        assertEquals(5L, s.poll().orElseThrow().sequence());
        assertTrue(s.poll().isEmpty());
        hub.close();
    }

    @Test
    void aSubscriptionThatStartsLate_numbersFromTheHub() {
        Hub<String> hub = Hub.<String>builder().build();
        for (int i = 0; i < 5; i++) {
            hub.publish("early" + i);
        }
        PullSubscription<String> s = hub.subscribe(Overflow.slowProducer(java.time.Duration.ofSeconds(1)));
        hub.publish("a");
        hub.publish("b");
        assertEquals(List.of(6L, 7L), drained(s));
        hub.close();
    }

    @Test
    void aTimedOutOffer_leavesAGapTheConsumerSees() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> s = hub.subscriber().capacity(1)
                .overflow(Overflow.slowProducer(java.time.Duration.ofMillis(1))).subscribe();
        hub.publish(10);
        hub.publish(11); // full: waits 1 ms, times out, counted as dropped
        assertEquals(1L, s.poll().orElseThrow().sequence());
        hub.publish(12);
        assertEquals(3L, s.poll().orElseThrow().sequence());
        assertEquals(1, s.stats().dropped());
        hub.close();
    }

    @Test
    void refusedOffers_makeNoMark_andTheNextQueuedOneCarriesItsNumber() {
        SequencedQueue<String> q = new SequencedQueue<>(4);
        Offer<String> o = new Offer<>();
        assertEquals(Buffer.ACCEPTED, offer(q, o, 5, "m5")); // the first: a mark
        for (long seq = 6; seq <= 8; seq++) {
            assertEquals(Buffer.ACCEPTED, offer(q, o, seq, "m" + seq));
        }
        assertEquals(Buffer.FULL, offer(q, o, 9, "m9")); // bare, refused
        assertEquals(Buffer.FULL, offer(q, o, 10, "m10")); // after the gap, refused
        assertEquals(8, q.lastQueued, "a refused offer leaves the last queued sequence");

        List<String> got = new ArrayList<>();
        Delivery<String> d = q.poll();
        got.add(d.sequence() + "=" + d.message());
        assertEquals(Buffer.ACCEPTED, offer(q, o, 12, "m12")); // after the gap: a mark
        assertEquals(Buffer.FULL, offer(q, o, 13, "m13")); // bare, refused
        while ((d = q.poll()) != null) {
            got.add(d.sequence() + "=" + d.message());
        }
        assertEquals(Buffer.ACCEPTED, offer(q, o, 14, "m14")); // after the gap: a mark
        assertEquals(Buffer.ACCEPTED, offer(q, o, 15, "m15")); // bare
        while ((d = q.poll()) != null) {
            got.add(d.sequence() + "=" + d.message());
        }
        assertEquals(List.of("5=m5", "6=m6", "7=m7", "8=m8", "12=m12", "14=m14", "15=m15"), got);
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
    }

    @Test
    void everyPowerOfTwoCapacity_holdsExactlyThatMany_lapAfterLap() {
        for (int capacity = 1; capacity <= 64; capacity <<= 1) {
            SequencedQueue<String> q = new SequencedQueue<>(capacity);
            Offer<String> o = new Offer<>();
                long seq = 1;
            for (int lap = 0; lap < 5; lap++) {
                long first = seq;
                for (int i = 0; i < capacity; i++, seq++) {
                    assertEquals(Buffer.ACCEPTED, offer(q, o, seq, "m" + seq), "capacity " + capacity);
                }
                assertEquals(capacity, q.size());
                assertEquals(Buffer.FULL, offer(q, o, seq, "over"), "capacity " + capacity + ", lap " + lap);
                // take half, refill half: the producer's look-ahead must not run past the consumer
                int half = Math.max(1, capacity / 2);
                for (int i = 0; i < half; i++) {
                    assertEquals(first + i, q.poll().sequence());
                }
                for (int i = 0; i < half; i++, seq++) {
                    assertEquals(Buffer.ACCEPTED, offer(q, o, seq, "m" + seq));
                }
                assertEquals(Buffer.FULL, offer(q, o, seq, "over"));
                List<Long> rest = new ArrayList<>();
                q.drain(new CollectingSink(rest), Integer.MAX_VALUE);
                assertEquals(capacity, rest.size());
                assertEquals(first + half, rest.get(0));
                assertEquals(seq - 1, rest.get(rest.size() - 1));
                assertTrue(q.isEmpty());
            }
        }
    }

    @Test
    void aCapacityNotAPowerOfTwo_isRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new SequencedQueue<String>(3));
    }

    private static final class CollectingSink extends Sink<String> {
        private final List<Long> into;

        CollectingSink(List<Long> into) {
            super(new Ledger<>(Strategy.of(Overflow.dropNewest()), Preface.none(), null, new Counts(false), false, 0, false));
            this.into = into;
        }

        @Override
        void handle(long sequence, String message) {
            into.add(sequence);
        }
    }

    /** One publish's offer to one queue, as the queue dispatcher makes it. */
    private static int offer(SequencedQueue<String> q, Offer<String> o, long seq, String message) {
        o.set(seq, message, null);
        try {
            return q.offer(o);
        } finally {
            o.clear();
        }
    }

    private static <T> List<Long> drained(PullSubscription<T> s) {
        List<Long> out = new ArrayList<>();
        s.drain((seq, m) -> out.add(seq), Integer.MAX_VALUE);
        return out;
    }
}
