package dev.fanout;

import java.util.concurrent.locks.LockSupport;

/**
 * A queue-engine subscription's lane: its own bounded {@link Buffer}. The publisher offers to it
 * ({@link QueueDispatcher}); the consumer takes from it. A lossless subscription's publisher that
 * finds it full parks here, announced in {@link #producerWaiter}, until the consumer makes room.
 */
final class QueueLane<T> implements Lane<T> {
    final Buffer<T> buffer;
    private final int capacity;
    /** A publisher parked for room, announced before it parks; consumers unpark it after a take. */
    volatile Thread producerWaiter;
    /** Set by the publisher the first time an offer found the buffer full: the high water is then the capacity. */
    private volatile boolean sawFull;

    QueueLane(Buffer<T> buffer) {
        this.buffer = buffer;
        this.capacity = buffer.capacity();
    }

    /** Producer side: an offer found the buffer full. */
    void full() {
        if (!sawFull) {
            sawFull = true;
        }
    }

    // ------------------------------------------------------------------ consumer side

    /**
     * The depth the consumer finds before it takes is the high water since its last look: only
     * the publisher adds in between (a full buffer is recorded by the publisher).
     */
    private void look(AbstractSubscription<T> s) {
        s.ledger.consumer.raiseHighWater(buffer.size());
    }

    @Override
    public Delivery<T> poll(AbstractSubscription<T> s) {
        look(s);
        return buffer.poll();
    }

    /**
     * The high water from what the drain took, without reading the depth (the publisher's
     * index, a cache line it has just written): a drain that took fewer than its limit found
     * at most that many (and what arrived while it ran); one that filled its limit looks at what
     * is left as well.
     */
    @Override
    public int drain(Sink<T> sink, int limit, AbstractSubscription<T> s) {
        int taken = buffer.drain(sink, limit);
        if (taken > 0) {
            s.ledger.consumer.raiseHighWater(taken < limit ? taken : (long) taken + buffer.size());
        }
        return taken;
    }

    @Override
    public int discard(AbstractSubscription<T> s) {
        return buffer.discard();
    }

    @Override
    public void beforePark(AbstractSubscription<T> s) {
        // the publisher signals every subscriber it offered to: nothing to enlist
    }

    @Override
    public void tookLossless() {
        // no fence: a publisher that announced itself after this read finds the room at its next
        // bounded step (ProducerBackoff)
        Thread p = producerWaiter;
        if (p != null) {
            LockSupport.unpark(p);
        }
    }

    // ------------------------------------------------------------------ any thread

    @Override
    public long offered(Counts producer) {
        return producer.flow() + buffer.selfCounted();
    }

    @Override
    public long held() {
        return buffer.size();
    }

    @Override
    public void addPendingDrops(long[] drops) {
    }

    @Override
    public boolean isEmpty() {
        return buffer.isEmpty();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int highWater(Counts consumer) {
        return sawFull ? capacity : (int) Math.min(capacity, consumer.highWater());
    }

    @Override
    public void attached() {
    }

    @Override
    public void ended(AbstractSubscription<T> s, boolean slow) {
        Thread p = producerWaiter;
        if (p != null) {
            LockSupport.unpark(p); // it sees the end and stops waiting for this subscription
        }
    }
}
