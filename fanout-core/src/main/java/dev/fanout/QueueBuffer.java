package dev.fanout;

import org.jctools.queues.atomic.SpmcAtomicArrayQueue;

/**
 * A plain bounded FIFO of deliveries that several workers take from ({@code elasticWorkers}):
 * SPMC. A full buffer refuses the offer, and the subscription's strategy decides what that
 * means. A FIFO with one consumer is a {@link SequencedQueue}, which queues no delivery objects.
 */
final class QueueBuffer<T> extends Buffer<T> {
    private final SpmcAtomicArrayQueue<Delivery<T>> queue;
    /** The capacity asked for (a power of two): JCTools' SPMC queue holds exactly that many, even 1. */
    private final int capacity;

    QueueBuffer(int capacity) {
        this.queue = new SpmcAtomicArrayQueue<>(capacity);
        this.capacity = capacity;
    }

    @Override
    int offer(Offer<T> o) {
        return queue.offer(o.delivery()) ? ACCEPTED : FULL;
    }

    @Override
    Delivery<T> poll() {
        return queue.poll();
    }

    @Override
    int drain(Sink<T> sink, int limit) {
        return queue.drain(sink, limit);
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
