package dev.fanout;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * A bounded FIFO with one producer and one consumer that queues bare messages, not
 * {@link Delivery} objects: the consumer knows each message's sequence number as one more than
 * the last one's. Where that does not hold (the first message, and the first after a message
 * this subscriber did not queue: a timeout, a drop, a jump in sequence numbers from outside),
 * the publisher queues a {@link Mark} that carries the number. So a publish to subscribers that
 * keep up allocates nothing. The buffer of {@code slowProducer}, {@code dropNewest} and
 * {@code disconnect} pull and push subscriptions; a full one refuses the offer, and the
 * subscription's strategy decides what that means.
 */
final class SequencedQueue<T> extends Buffer<T> {
    private final MessagePassingQueue<Object> queue;
    /** The capacity asked for (a power of two); JCTools' smallest queues hold more, so offers check it. */
    private final int capacity;
    private final boolean smallerThanQueue;
    /** Consumer-owned state: the sink of the drain under way and the next bare message's sequence. */
    private final Resolver<T> resolver = new Resolver<>();

    SequencedQueue(int capacity) {
        this.queue = new SpscAtomicArrayQueue<>(capacity);
        this.capacity = capacity;
        this.smallerThanQueue = queue.capacity() > capacity;
    }

    /**
     * A message queued with its sequence number: the first, or the first after a gap. Written by
     * the publisher before the offer that queues it (the queue's release store publishes the
     * fields); a mark the queue refused was never seen by a consumer, and the publisher fills it
     * again for its next one ({@link Offer#spareMark}).
     */
    static final class Mark {
        long sequence;
        Object message;
    }

    /**
     * 64 bytes ahead of a subclass's fields (HotSpot lays out a superclass's fields first), so
     * that what the consumer writes on every take never shares a cache line with the fields the
     * publisher reads, as JCTools pads its indices apart.
     */
    abstract static class Padded {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    /**
     * The publisher keeps the sequence of the last message it queued in the subscription's
     * producer counters ({@link Offer#producer}), which every offer writes anyway: 0 at first,
     * so a subscriber that takes from the hub's first message on needs no mark.
     */
    @Override
    int offer(Offer<T> o) {
        if (smallerThanQueue && queue.size() >= capacity) {
            return FULL;
        }
        Counts p = o.producer;
        long seq = o.sequence;
        if (seq == p.ownLastSequence() + 1) {
            if (!queue.offer(o.message)) {
                return FULL;
            }
        } else {
            // after a gap; a full queue refuses every offer after the first, so a refused mark
            // is kept for the next: a stalled dropNewest subscriber costs no allocation
            Mark m = o.spareMark;
            if (m == null) {
                m = new Mark();
            }
            m.sequence = seq;
            m.message = o.message;
            if (!queue.offer(m)) {
                o.spareMark = m;
                return FULL;
            }
            o.spareMark = null;
        }
        p.putLastSequence(seq);
        return ACCEPTED;
    }

    @Override
    Delivery<T> poll() {
        Object e = queue.poll();
        if (e == null) {
            return null;
        }
        long seq = resolver.sequenceOf(e);
        return new Delivery<>(seq, messageOf(e));
    }

    @SuppressWarnings("unchecked")
    private static <T> T messageOf(Object e) {
        return (T) (e instanceof Mark m ? m.message : e);
    }

    @Override
    int drain(Sink<T> sink, int limit) {
        Resolver<T> r = resolver;
        r.sink = sink;
        try {
            return queue.drain(r, limit);
        } finally {
            r.sink = null;
        }
    }

    /**
     * Consumer-owned: hands each element to the sink of the drain under way with its sequence;
     * reused by the consumer. Padded apart from the fields the publisher reads.
     */
    private static final class Resolver<T> extends Padded implements MessagePassingQueue.Consumer<Object> {
        /** The sequence of the next bare message: 1 until a mark says otherwise (see {@link #offer}). */
        long expected = 1;
        Sink<T> sink;
        long p10, p11, p12, p13, p14, p15, p16;

        /** The sequence of an element taken now, and the next one's. */
        long sequenceOf(Object e) {
            long seq = e instanceof Mark m ? m.sequence : expected;
            expected = seq + 1;
            return seq;
        }

        @Override
        public void accept(Object e) {
            long seq = sequenceOf(e);
            sink.accept(seq, SequencedQueue.<T>messageOf(e));
        }
    }

    @Override
    int discard() {
        int n = 0;
        Object e;
        while ((e = queue.poll()) != null) {
            resolver.sequenceOf(e);
            n++;
        }
        return n;
    }

    @Override
    int size() {
        return queue.size();
    }

    @Override
    boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    int capacity() {
        return capacity;
    }
}
