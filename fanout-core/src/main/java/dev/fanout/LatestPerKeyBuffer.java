package dev.fanout;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * At most one pending delivery per key, kept in sequence order: a new delivery for a pending
 * key removes the old one and goes to the back. With {@code capacity} keys pending, a new key
 * evicts the oldest. Guarded by a lock held only for map updates, never while a handler runs.
 *
 * <p>User code (the key function, the key's {@code hashCode} and {@code equals}) runs only
 * inside {@link Key}, which catches whatever it throws: such a message is kept under a key of
 * its own, never conflated, and the error is handed to the producer through
 * {@link #takeKeyError()}, so a faulty key never breaks a publish.
 */
final class LatestPerKeyBuffer<T> extends Buffer<T> {
    private final Function<Object, ?> keyFunction;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Key, Delivery<T>> pending;
    private volatile int size;
    /** Producer side: what the last offer's key threw, until the producer takes it. */
    private Throwable keyError;

    LatestPerKeyBuffer(Function<Object, ?> keyFunction, int capacity) {
        this.keyFunction = keyFunction;
        this.capacity = capacity;
        this.pending = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1);
    }

    /**
     * A message's key, with its hash computed once and {@code equals} guarded. A key function
     * that throws or returns null, or a key whose {@code hashCode} throws, makes the delivery
     * its own key. One publish makes one per key function and offers it to every buffer with
     * that function ({@link Offer#key}); only the buffer offered to now (publishers are
     * serialised) records what {@code equals} throws, and reads it before the next buffer.
     */
    static final class Key {
        private final Object key;
        private final int hash;
        /** What the key function or {@code hashCode} threw, for every buffer offered this key. */
        private final Throwable made;
        /** What {@code equals} threw in the buffer offered to now; reset for each. */
        private Throwable compared;

        private Key(Object key, int hash, Throwable made) {
            this.key = key;
            this.hash = hash;
            this.made = made;
        }

        static Key of(Function<Object, ?> keyFunction, Delivery<?> d) {
            try {
                Object k = keyFunction.apply(d.message());
                if (k == null) {
                    return own(d, new NullPointerException("latestPerKey: the key function returned null"));
                }
                return new Key(k, k.hashCode(), null);
            } catch (Throwable e) { // a key must never break a publish, whatever it throws
                return own(d, e);
            }
        }

        private static Key own(Delivery<?> d, Throwable error) {
            return new Key(d, System.identityHashCode(d), error);
        }

        /** @return what the key function, hashCode or (in this buffer) equals threw, or null */
        Throwable error() {
            return made != null ? made : compared;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key other) || other.hash != hash) {
                return false;
            }
            try {
                return Objects.equals(key, other.key);
            } catch (Throwable e) {
                if (compared == null) {
                    compared = e;
                }
                return false; // a key whose equals throws is never conflated
            }
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Override
    int offer(Offer<T> o) {
        Delivery<T> d = o.delivery();
        Key key = o.key(keyFunction);
        key.compared = null;
        int outcome = ACCEPTED;
        lock.lock();
        try {
            Delivery<T> previous = pending.remove(key);
            pending.put(key, d);
            if (previous != null) {
                outcome = ACCEPTED_SUPERSEDED;
            } else if (pending.size() > capacity) {
                Iterator<Delivery<T>> it = pending.values().iterator();
                it.next();
                it.remove();
                outcome = ACCEPTED_EVICTED;
            }
            size = pending.size();
        } finally {
            lock.unlock();
        }
        keyError = key.error();
        return keyError == null ? outcome : outcome | KEY_ERROR;
    }

    /** Producer side: what the last offer's key threw, or null; cleared by the call. */
    Throwable takeKeyError() {
        Throwable e = keyError;
        keyError = null;
        return e;
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
    int drain(Sink<T> sink, int limit) {
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
