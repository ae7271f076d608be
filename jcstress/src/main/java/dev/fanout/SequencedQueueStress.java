package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * The queue engine's one-consumer ring ({@code SequencedQueue}): a slot is free when it is
 * null. The producer checks that the slot is free (acquire), fills it with a release store; the
 * consumer reads it (acquire) and frees it with a release store. These two tests check the two
 * halves of that claim.
 */
public class SequencedQueueStress {

    /** A message with a field written before it is offered: the slot's release store must publish it. */
    static final class Box {
        long value;
    }

    /**
     * A message offered while the consumer polls: the consumer sees nothing, or the message whole,
     * numbered by the mark the producer wrote before the slot (the first message of a
     * subscription that started at sequence 5). r1: the sequence; r2: the message's field.
     */
    @JCStressTest
    @Description("Queue engine: a message taken while it is offered is seen whole, with its mark's number")
    @Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "Polled before the offer: nothing.")
    @Outcome(id = "5, 42", expect = ACCEPTABLE, desc = "The message, numbered by its mark, with its contents.")
    @Outcome(expect = FORBIDDEN, desc = "The slot seen before the mark's number or the message's contents.")
    @State
    public static class Publication {
        private final SequencedQueue<Box> queue = new SequencedQueue<>(4);
        private final Offer<Box> offer = new Offer<>();

        @Actor
        public void producer() {
            Box b = new Box();
            b.value = 42;
            offer.set(5, b, null);
            queue.offer(offer);
        }

        @Actor
        public void consumer(JJ_Result r) {
            Delivery<Box> d = queue.poll();
            r.r1 = d == null ? -1 : d.sequence();
            r.r2 = d == null ? -1 : d.message().value;
        }
    }

    /**
     * A full ring of one slot that holds message 1: the consumer takes it while the producer
     * offers message 2. The producer may write the slot only after the consumer has read it,
     * so the consumer gets message 1, and the offer is either refused or lands after the take.
     * r1: the sequence the consumer got; r2: its message; r3: 1 when the offer was accepted.
     */
    @JCStressTest
    @Description("Queue engine: the producer never overwrites a slot the consumer has not read")
    @Outcome(id = {"1, 10, 0", "1, 10, 1"}, expect = ACCEPTABLE, desc = "Message 1 taken; the offer refused, or accepted after the take.")
    @Outcome(expect = FORBIDDEN, desc = "Message 2 written over message 1 before the consumer read it.")
    @State
    public static class SlotReuse {
        private final SequencedQueue<Long> queue = new SequencedQueue<>(1);
        private final Offer<Long> offer = new Offer<>();

        public SlotReuse() {
            offer.set(1, 10L, null);
            queue.offer(offer);
        }

        @Actor
        public void producer(JJJ_Result r) {
            offer.set(2, 20L, null);
            r.r3 = queue.offer(offer) == Buffer.ACCEPTED ? 1 : 0;
        }

        @Actor
        public void consumer(JJJ_Result r) {
            Delivery<Long> d = queue.poll();
            r.r1 = d == null ? -1 : d.sequence();
            r.r2 = d == null ? -1 : d.message();
        }
    }
}
