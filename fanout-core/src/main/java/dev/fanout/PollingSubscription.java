package dev.fanout;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A subscription its consumer polls, drains or awaits: one consumer thread at a time.
 *
 * <p>It asks the hub for wake-ups only when its consumer first waits in {@code await}: a
 * consumer that only polls and drains costs its hub's publishes no fence. Until the publisher
 * has acknowledged that request, {@code await} parks in bounded steps, so a wake-up is never
 * lost; after it, an untimed {@code await()} parks with no timer.
 */
final class PollingSubscription<T> extends AbstractSubscription<T> implements PullSubscription<T> {
    /** The longest step of an {@code await} whose wake-up request is not acknowledged yet. */
    private static final long UNACKNOWLEDGED_STEP_NANOS = 10_000_000;

    /** The consumer parked in {@link #await}, announced before it parks. */
    private volatile Thread waiter;
    private final HandlerSink<T> sink;
    /** The hub's wake epoch this consumer registered at, or -1 before its first wait. */
    private long wakeEpoch = -1;

    PollingSubscription(Hub<T> hub, Overflow overflow, Ledger<T> ledger) {
        super(hub, overflow, ledger);
        this.sink = new HandlerSink<>(ledger);
    }

    @Override
    boolean parksFromStart() {
        return false;
    }

    @Override
    public Optional<Delivery<T>> poll() {
        return Optional.ofNullable(take());
    }

    private Delivery<T> take() {
        if (ledger.isClosed()) {
            discardRemaining();
            return null;
        }
        Delivery<T> d = ledger.preface.poll();
        if (d == null) {
            d = lane.poll(this);
        }
        if (d == null) {
            nothingTaken();
            return null;
        }
        if (ledger.isClosed()) { // closed while it read: the message goes with the rest
            discarded(1);
            discardRemaining();
            return null;
        }
        ledger.delivered(1, d.sequence());
        if (ledger.strategy.lossless()) {
            lane.tookLossless();
        }
        return d;
    }

    @Override
    public int drain(DeliveryHandler<? super T> handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        Checks.positive("limit", limit);
        if (ledger.isClosed()) {
            discardRemaining();
            return 0;
        }
        HandlerSink<T> s = sink;
        s.handler = handler;
        s.reset();
        try {
            ledger.preface.drain(s, limit);
            int left = limit - s.taken();
            if (left > 0) {
                lane.drain(s, left, this);
            }
        } finally {
            s.handler = null;
            counted(s); // a handler that threw still took the message it threw on
        }
        if (s.taken() < limit) {
            nothingTaken();
        }
        return s.delivered;
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
        if (d != null || nanos == 0 || ledger.isClosed()) {
            return Optional.ofNullable(d);
        }
        if (wakeEpoch < 0) {
            wakeEpoch = hub.parksFrom(this);
        }
        Thread me = Thread.currentThread();
        long deadline = ProducerBackoff.deadline(System.nanoTime(), nanos);
        long step = ProducerBackoff.FIRST_STEP_NANOS;
        while (true) {
            if (!ledger.isOpen()) {
                return Optional.ofNullable(take()); // draining after a hub close, or ended
            }
            if (ProducerBackoff.expired(deadline)) {
                return Optional.empty();
            }
            waiter = me;
            lane.beforePark(this);
            VarHandle.fullFence();
            // read before the last look: what was published before the acknowledgment is visible to it
            boolean acknowledged = hub.acknowledged(wakeEpoch);
            d = take();
            if (d != null) {
                waiter = null;
                return Optional.of(d);
            }
            if (ledger.isOpen()) {
                long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (!acknowledged) {
                    LockSupport.parkNanos(this, Math.min(remaining, step));
                    step = Math.min(step << 1, UNACKNOWLEDGED_STEP_NANOS);
                } else if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this); // no timer to schedule: cheaper on virtual threads
                } else if (remaining > 0) {
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

    /** The most messages {@link #forEach} hands over per batch. */
    private static final int FOR_EACH_BATCH = 256;

    @Override
    public void forEach(DeliveryHandler<? super T> handler) throws InterruptedException {
        Objects.requireNonNull(handler, "handler");
        while (true) {
            if (drain(handler, FOR_EACH_BATCH) > 0) {
                continue;
            }
            if (isClosed()) {
                return;
            }
            Optional<Delivery<T>> d = await();
            if (d.isPresent()) {
                handler.onDelivery(d.get().sequence(), d.get().message());
            } else if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for a message");
            }
        }
    }

    @Override
    public Stream<Delivery<T>> stream() {
        Spliterator<Delivery<T>> messages = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super Delivery<T>> action) {
                Optional<Delivery<T>> d = await();
                d.ifPresent(action);
                return d.isPresent(); // empty: ended, or interrupted (the flag stays set)
            }
        };
        return StreamSupport.stream(messages, false);
    }

    @Override
    void signal() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Hands deliveries to the handler of the {@code drain} call under way. */
    private static final class HandlerSink<T> extends Sink<T> {
        DeliveryHandler<? super T> handler;

        HandlerSink(Ledger<T> ledger) {
            super(ledger);
        }

        @Override
        void handle(long sequence, T message) {
            handler.onDelivery(sequence, message);
        }
    }
}
