package dev.fanout;

import java.util.concurrent.atomic.AtomicReference;

/** A single slot: a new delivery replaces the pending one. */
final class LatestBuffer<T> extends Buffer<T> {
    private final AtomicReference<Delivery<T>> slot = new AtomicReference<>();

    @Override
    int offer(Offer<T> o) {
        Delivery<T> d = o.delivery();
        return slot.getAndSet(d) == null ? ACCEPTED : ACCEPTED_SUPERSEDED;
    }

    @Override
    Delivery<T> poll() {
        return slot.get() == null ? null : slot.getAndSet(null);
    }

    @Override
    int drain(Sink<T> sink, int limit) {
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
