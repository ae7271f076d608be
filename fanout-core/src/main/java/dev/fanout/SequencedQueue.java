package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded FIFO with one producer and one consumer that queues bare messages, not
 * {@link Delivery} objects: the consumer knows each message's sequence number as one more than
 * the last one's. Where that does not hold (the first message, and the first after a message
 * this subscriber did not queue: a timeout, a drop, a jump in sequence numbers from outside),
 * the publisher queues a {@link Mark} that carries the number. So a publish to subscribers that
 * keep up allocates nothing. The buffer of {@code slowProducer}, {@code dropNewest} and
 * {@code disconnect} pull and push subscriptions; a full one refuses the offer, and the
 * subscription's strategy decides what that means.
 *
 * <p>The queue is a ring of exactly {@code capacity} slots (a power of two) owned by this
 * object, with no queue object of a library in between: a publish to N subscribers touches,
 * per subscriber, this object's producer line and the slot, where a JCTools queue behind a
 * buffer added the buffer's own line, the queue's read-only line and the atomic array's. A null slot is a
 * free one (the FastFlow scheme that JCTools' SPSC queues use too): the producer writes a slot
 * with a release store after checking that it is null, the consumer reads it with an acquire
 * load and frees it with a release store, so neither reads the other's index on its way. The
 * producer looks {@code lookahead} slots ahead: when the slot of message {@code p + k} is
 * free, the consumer has taken every message up to {@code p + k - capacity}, so the slots of
 * {@code p .. p + k} are free and it writes the next {@code k} without looking. The two
 * indices are published only for {@link #size()} and {@link #isEmpty()}.
 */
final class SequencedQueue<T> extends SequencedQueueConsumerSide<T> {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle OFFERED;
    private static final VarHandle CONSUMER_INDEX;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER_INDEX = l.findVarHandle(SequencedQueueProducerSide.class, "producerIndex", long.class);
            OFFERED = l.findVarHandle(SequencedQueueProducerSide.class, "offered", long.class);
            CONSUMER_INDEX = l.findVarHandle(SequencedQueueConsumerSide.class, "consumerIndex", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A message queued with its sequence number: the first, or the first after a gap. Written by
     * the publisher before the offer that queues it (the slot's release store publishes the
     * fields).
     */
    static final class Mark {
        long sequence;
        Object message;
    }

    long p20, p21, p22, p23, p24, p25, p26, p27;

    /** @param capacity the number of slots: a power of two */
    SequencedQueue(int capacity) {
        super(capacity);
    }

    /**
     * The publisher keeps the sequence of the last message it queued ({@code lastQueued}, 0 at
     * first, so a subscriber that takes from the hub's first message on needs no mark). A full
     * queue refuses before anything is made: a stalled subscriber's refusals allocate nothing.
     */
    @Override
    int offer(Offer<T> o) {
        long p = producerIndex;
        if (p >= producerLimit && !free(p)) {
            return FULL;
        }
        long seq = o.sequence;
        Object e = o.message;
        if (seq != lastQueued + 1) { // the first, or after a gap
            Mark m = new Mark();
            m.sequence = seq;
            m.message = e;
            e = m;
        }
        SLOT.setRelease(producerSlots, (int) p & producerMask, e);
        PRODUCER_INDEX.setRelease(this, p + 1);
        lastQueued = seq;
        return ACCEPTED;
    }

    /** The offered count lives on this queue's producer line: a publish writes no other line of this subscriber's but the slot. */
    @Override
    void countOffer(Counts producer) {
        OFFERED.setRelease(this, offered + 1);
    }

    @Override
    long selfCounted() {
        return (long) OFFERED.getAcquire(this);
    }

    /**
     * Producer: whether slot {@code p} is free, looking {@code lookahead} slots ahead when it
     * can, so that the next ones need no look.
     */
    private boolean free(long p) {
        int k = lookahead;
        if (k > 0 && SLOT.getAcquire(producerSlots, (int) (p + k) & producerMask) == null) {
            producerLimit = p + k;
            return true;
        }
        return SLOT.getAcquire(producerSlots, (int) p & producerMask) == null;
    }

    /** Consumer: takes the element at the head, or null when there is none. */
    private Object take() {
        long c = consumerIndex;
        int i = (int) c & consumerMask;
        Object e = SLOT.getAcquire(consumerSlots, i);
        if (e != null) {
            SLOT.setRelease(consumerSlots, i, null);
            CONSUMER_INDEX.setRelease(this, c + 1);
        }
        return e;
    }

    /** Consumer: the sequence of an element taken now, and the next one's. */
    private long sequenceOf(Object e) {
        long seq = e instanceof Mark m ? m.sequence : expected;
        expected = seq + 1;
        return seq;
    }

    @SuppressWarnings("unchecked")
    private static <T> T messageOf(Object e) {
        return (T) (e instanceof Mark m ? m.message : e);
    }

    @Override
    Delivery<T> poll() {
        Object e = take();
        if (e == null) {
            return null;
        }
        long seq = sequenceOf(e);
        return new Delivery<>(seq, messageOf(e));
    }

    /** Consumer: each element is taken (its slot freed, the index published) before the sink sees it. */
    @Override
    int drain(Sink<T> sink, int limit) {
        int n = 0;
        Object e;
        while (n < limit && (e = take()) != null) {
            n++;
            long seq = sequenceOf(e);
            sink.accept(seq, SequencedQueue.<T>messageOf(e));
        }
        return n;
    }

    @Override
    int discard() {
        int n = 0;
        Object e;
        while ((e = take()) != null) {
            sequenceOf(e);
            n++;
        }
        return n;
    }

    /** Any thread: the consumer's index read on both sides of the producer's, so the two belong together. */
    @Override
    int size() {
        long after = (long) CONSUMER_INDEX.getAcquire(this);
        while (true) {
            long before = after;
            long produced = (long) PRODUCER_INDEX.getAcquire(this);
            after = (long) CONSUMER_INDEX.getAcquire(this);
            if (before == after) {
                return (int) Math.max(0, Math.min(capacity, produced - after));
            }
        }
    }

    @Override
    boolean isEmpty() {
        long consumed = (long) CONSUMER_INDEX.getAcquire(this);
        return consumed >= (long) PRODUCER_INDEX.getAcquire(this);
    }

    @Override
    int capacity() {
        return capacity;
    }
}

// The layout, as JCTools pads its queues: HotSpot lays out a superclass's fields first, so
// each class below begins after its parent's; 64 bytes of padding keep the producer's fields
// and the consumer's on lines of their own. Each side has its own copy of the slot array's
// reference and mask, so that a publish reads one line of this object per subscriber.

abstract class SequencedQueuePad0<T> extends Buffer<T> {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The producer's line. */
abstract class SequencedQueueProducerSide<T> extends SequencedQueuePad0<T> {
    final Object[] producerSlots;
    final int producerMask;
    /** How far ahead the producer looks for free slots: a quarter of the ring, none below 4. */
    final int lookahead;
    /** The next message's position; published (release) for {@link SequencedQueue#size()}. */
    long producerIndex;
    /** Positions below it are known free: written without looking at the slot. */
    long producerLimit;
    /** The sequence of the last message queued: publisher-only. */
    long lastQueued;
    /** Messages offered to this subscriber ({@link Buffer#countOffer}); published (release) for statistics. */
    long offered;

    SequencedQueueProducerSide(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: a power of two)");
        }
        this.producerSlots = new Object[capacity];
        this.producerMask = capacity - 1;
        this.lookahead = Math.min(capacity / 4, 4096);
    }
}

abstract class SequencedQueuePad1<T> extends SequencedQueueProducerSide<T> {
    long p10, p11, p12, p13, p14, p15, p16, p17;

    SequencedQueuePad1(int capacity) {
        super(capacity);
    }
}

/** The consumer's line. */
abstract class SequencedQueueConsumerSide<T> extends SequencedQueuePad1<T> {
    final Object[] consumerSlots;
    final int consumerMask;
    final int capacity;
    /** The next position to take; published (release) for {@link SequencedQueue#size()}. */
    long consumerIndex;
    /** The sequence of the next bare message: 1 until a mark says otherwise (see {@link SequencedQueue#offer}). */
    long expected = 1;

    SequencedQueueConsumerSide(int capacity) {
        super(capacity);
        this.consumerSlots = producerSlots;
        this.consumerMask = producerMask;
        this.capacity = capacity;
    }
}
