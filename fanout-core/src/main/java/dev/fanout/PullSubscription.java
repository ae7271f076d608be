package dev.fanout;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;

/** A subscription its consumer polls, drains or awaits: one consumer thread at a time. */
final class PullSubscription<T> extends BufferedSubscription<T> {

    /** The consumer parked in {@link #await}, announced before it parks. */
    private volatile Thread waiter;
    private final CountingSink<T> sink = new CountingSink<>();

    PullSubscription(Hub<T> hub, Overflow overflow, int capacity, Start<T> start) {
        super(hub, overflow, capacity, false, start);
    }

    @Override
    public boolean isPush() {
        return false;
    }

    @Override
    public Optional<Delivery<T>> poll() {
        return Optional.ofNullable(take());
    }

    private Delivery<T> take() {
        if (state() == CLOSED) {
            discardRemaining();
            return null;
        }
        Delivery<T> d = buffer.poll();
        if (d != null) {
            took(1, d.sequence());
        } else if (state() == CLOSED) {
            discardRemaining(); // closed while it read: a closed ring cursor stops reading, so count what is left now
        }
        return d;
    }

    @Override
    public int drain(DeliveryHandler<? super T> handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        Checks.positive("limit", limit);
        if (state() == CLOSED) {
            discardRemaining();
            return 0;
        }
        CountingSink<T> s = sink;
        s.handler = handler;
        s.count = 0;
        int n;
        try {
            buffer.drain(s, limit);
        } finally {
            n = s.count;
            s.handler = null;
            took(n, s.last); // a handler that threw still took the message it threw on
        }
        if (n < limit && state() == CLOSED) {
            discardRemaining(); // closed while it drained: count what is left now, as take() does
        }
        return n;
    }

    @Override
    public Optional<Delivery<T>> await() {
        return await(Long.MAX_VALUE);
    }

    @Override
    public Optional<Delivery<T>> await(Duration timeout) {
        return await(Checks.nanos(Checks.nonNegative("timeout", timeout)));
    }

    /** @param nanos the wait, {@link Long#MAX_VALUE} for none: then it parks without a timer */
    private Optional<Delivery<T>> await(long nanos) {
        Delivery<T> d = take();
        if (d != null || nanos == 0) {
            return Optional.ofNullable(d);
        }
        Thread me = Thread.currentThread();
        long deadline = System.nanoTime() + nanos;
        if (nanos == Long.MAX_VALUE || deadline - System.nanoTime() < 0) {
            deadline = Long.MAX_VALUE;
        }
        while (true) {
            if (state() != OPEN) {
                return Optional.ofNullable(take()); // draining after a hub close, or ended
            }
            long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0 || me.isInterrupted()) {
                return Optional.empty();
            }
            waiter = me;
            beforePark();
            VarHandle.fullFence();
            d = take();
            if (d != null) {
                waiter = null;
                return Optional.of(d);
            }
            if (state() == OPEN) {
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this); // no timer to schedule: cheaper on virtual threads
                } else {
                    LockSupport.parkNanos(this, remaining);
                }
            }
            waiter = null;
            d = take();
            if (d != null) {
                return Optional.of(d);
            }
        }
    }

    @Override
    void signal() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Hands deliveries to a user handler and counts them; reused by one consumer. */
    static final class CountingSink<T> implements MessagePassingQueue.Consumer<Delivery<T>> {
        DeliveryHandler<? super T> handler;
        int count;
        long last;

        @Override
        public void accept(Delivery<T> d) {
            count++;
            last = d.sequence();
            handler.onDelivery(d.sequence(), d.message());
        }
    }
}
