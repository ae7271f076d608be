package dev.fanout;

import org.jctools.queues.atomic.SpmcAtomicArrayQueue;

/**
 * A bounded FIFO whose producer makes room by taking the oldest delivery itself, so the
 * producer is a second consumer: SPMC. With one producer at a time, one eviction always makes
 * room, so an offer discards at most one delivery.
 */
final class DropOldestBuffer<T> extends Buffer<T> {
    private final SpmcAtomicArrayQueue<Delivery<T>> queue;

    private final int capacity;

    DropOldestBuffer(int capacity) {
        this.queue = new SpmcAtomicArrayQueue<>(capacity);
        this.capacity = capacity;
    }

    @Override
    int offer(Offer<T> o) {
        Delivery<T> d = o.delivery();
        boolean evicted = false;
        while (queue.size() >= capacity || !queue.offer(d)) {
            // null: the consumer emptied a slot meanwhile, and the next offer finds it
            evicted |= queue.poll() != null;
        }
        return evicted ? ACCEPTED_EVICTED : ACCEPTED;
    }

    @Override
    Delivery<T> poll() {
        return queue.poll();
    }

    /**
     * One poll at a time, never the SPMC batch drain: that claims a run of slots at once and
     * clears each only when its turn comes, so a slow or throwing handler would leave claimed
     * slots full, the evicting producer would spin on them, and a throw would lose the rest.
     */
    @Override
    int drain(Sink<T> sink, int limit) {
        int n = 0;
        Delivery<T> d;
        while (n < limit && (d = queue.poll()) != null) {
            n++;
            sink.accept(d);
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
