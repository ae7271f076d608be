package dev.fanout;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jctools.queues.MessagePassingQueue;

/**
 * At most one pending delivery per key, kept in sequence order: a new delivery for a pending
 * key removes the old one and goes to the back. With {@code capacity} keys pending, a new key
 * evicts the oldest. Guarded by a lock held only for map updates, never while a handler runs.
 */
final class LatestPerKeyBuffer<T> extends Buffer<T> {
    private final Function<Object, ?> keyFunction;
    private final BiConsumer<Delivery<T>, Throwable> keyError;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Object, Delivery<T>> pending;
    private volatile int size;

    LatestPerKeyBuffer(Function<Object, ?> keyFunction, int capacity, BiConsumer<Delivery<T>, Throwable> keyError) {
        this.keyFunction = keyFunction;
        this.keyError = keyError;
        this.capacity = capacity;
        this.pending = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1);
    }

    @Override
    int offer(Delivery<T> d) {
        Object key = keyOf(d);
        lock.lock();
        try {
            Delivery<T> previous = pending.remove(key);
            pending.put(key, d);
            int outcome = ACCEPTED;
            if (previous != null) {
                outcome = ACCEPTED_SUPERSEDED;
            } else if (pending.size() > capacity) {
                Iterator<Delivery<T>> it = pending.values().iterator();
                it.next();
                it.remove();
                outcome = ACCEPTED_EVICTED;
            }
            size = pending.size();
            return outcome;
        } finally {
            lock.unlock();
        }
    }

    private Object keyOf(Delivery<T> d) {
        try {
            Object key = keyFunction.apply(d.message());
            if (key != null) {
                return key;
            }
            keyError.accept(d, new NullPointerException("latestPerKey: the key function returned null"));
        } catch (RuntimeException e) {
            keyError.accept(d, e);
        }
        return d; // a key of its own: the message is kept, never conflated
    }

    @Override
    Delivery<T> poll() {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            Iterator<Delivery<T>> it = pending.values().iterator();
            if (!it.hasNext()) {
                return null;
            }
            Delivery<T> d = it.next();
            it.remove();
            size = pending.size();
            return d;
        } finally {
            lock.unlock();
        }
    }

    @Override
    int drain(MessagePassingQueue.Consumer<Delivery<T>> sink, int limit) {
        // one at a time: a sink that throws must not take undelivered messages with it
        int n = 0;
        Delivery<T> d;
        while (n < limit && (d = poll()) != null) {
            n++;
            sink.accept(d);
        }
        return n;
    }

    @Override
    int size() {
        return size;
    }

    @Override
    boolean isEmpty() {
        return size == 0;
    }

    @Override
    int capacity() {
        return capacity;
    }
}
