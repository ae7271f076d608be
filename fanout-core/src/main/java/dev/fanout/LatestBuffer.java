package dev.fanout;

import java.util.concurrent.atomic.AtomicReference;
import org.jctools.queues.MessagePassingQueue;

/** A single slot: a new delivery replaces the pending one. */
final class LatestBuffer<T> extends Buffer<T> {
    private final AtomicReference<Delivery<T>> slot = new AtomicReference<>();

    @Override
    int offer(Delivery<T> d) {
        return slot.getAndSet(d) == null ? ACCEPTED : ACCEPTED_SUPERSEDED;
    }

    @Override
    Delivery<T> poll() {
        return slot.get() == null ? null : slot.getAndSet(null);
    }

    @Override
    int drain(MessagePassingQueue.Consumer<Delivery<T>> sink, int limit) {
        Delivery<T> d = poll();
        if (d == null) {
            return 0;
        }
        sink.accept(d);
        return 1;
    }

    @Override
    int size() {
        return slot.get() == null ? 0 : 1;
    }

    @Override
    boolean isEmpty() {
        return slot.get() == null;
    }

    @Override
    int capacity() {
        return 1;
    }
}
