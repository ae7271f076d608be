package dev.fanout;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.SpmcAtomicArrayQueue;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * A plain bounded FIFO of deliveries: a full buffer refuses the offer, and the subscription's
 * strategy decides what that means. SPMC when several workers take from it
 * ({@code elasticWorkers}); a FIFO with one consumer is a {@link SequencedQueue}, which queues
 * no delivery objects.
 */
final class QueueBuffer<T> extends Buffer<T> {
    private final MessagePassingQueue<Delivery<T>> queue;
    /** The capacity asked for (a power of two); JCTools' smallest queues hold more, so offers check it. */
    private final int capacity;
    private final boolean smallerThanQueue;

    QueueBuffer(int capacity, boolean manyConsumers) {
        this.queue = manyConsumers ? new SpmcAtomicArrayQueue<>(capacity) : new SpscAtomicArrayQueue<>(capacity);
        this.capacity = capacity;
        this.smallerThanQueue = queue.capacity() > capacity;
    }

    @Override
    int offer(Offer<T> o) {
        if (smallerThanQueue && queue.size() >= capacity) {
            return FULL;
        }
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
