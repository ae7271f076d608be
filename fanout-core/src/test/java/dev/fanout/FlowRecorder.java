package dev.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A {@link Flow.Subscriber} that records its signals for the test thread to assert on: every
 * signal is queued as text ({@code "next 3"}, {@code "complete"}, {@code "error ..."}), and
 * breaches of the rules it can see from inside (an {@code onNext} beyond what it requested,
 * overlapping signals, a signal after the terminal one) are collected, never asserted on the
 * signalling thread.
 */
final class FlowRecorder<T> implements Flow.Subscriber<T> {
    final LinkedBlockingQueue<String> signals = new LinkedBlockingQueue<>();
    final List<String> breaches = new CopyOnWriteArrayList<>();
    /** Written by the signalling thread only; read by the test after a signal taken from {@link #signals}. */
    final List<T> items = new ArrayList<>();
    /** How many onNext arrived: readable from any thread. */
    final AtomicLong received = new AtomicLong();
    /** What {@link #request} asked for so far; {@code Long.MAX_VALUE} once unbounded. */
    final AtomicLong requested = new AtomicLong();
    volatile Flow.Subscription subscription;
    volatile Throwable error;
    volatile Thread signallingThread;

    private final long initialRequest;
    /** Called after each onNext is recorded, on the signalling thread. */
    private final BiConsumer<FlowRecorder<T>, T> onNext;
    private final AtomicLong inside = new AtomicLong();
    private volatile boolean terminated;

    FlowRecorder(long initialRequest) {
        this(initialRequest, (r, t) -> { });
    }

    FlowRecorder(long initialRequest, BiConsumer<FlowRecorder<T>, T> onNext) {
        this.initialRequest = initialRequest;
        this.onNext = onNext;
    }

    void request(long n) {
        requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        subscription.request(n);
    }

    private void enter(String signal) {
        if (inside.incrementAndGet() != 1) {
            breaches.add("overlapping signal: " + signal);
        }
        if (terminated) {
            breaches.add("signal after the terminal one: " + signal);
        }
        signallingThread = Thread.currentThread();
    }

    private void leave() {
        inside.decrementAndGet();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter("subscribe");
        subscription = s;
        signals.add("subscribe");
        if (initialRequest > 0) {
            request(initialRequest);
        }
        leave();
    }

    @Override
    public void onNext(T item) {
        enter("next " + item);
        items.add(item);
        long n = received.incrementAndGet();
        if (n > requested.get()) {
            breaches.add("onNext " + n + " with only " + requested.get() + " requested");
        }
        signals.add("next " + item);
        onNext.accept(this, item);
        leave();
    }

    @Override
    public void onError(Throwable e) {
        enter("error");
        error = e;
        terminated = true;
        signals.add("error " + e.getClass().getSimpleName());
        leave();
    }

    @Override
    public void onComplete() {
        enter("complete");
        terminated = true;
        signals.add("complete");
        leave();
    }

    /** @return the next signal, waiting at most a generous time (null if none came: a hang, not a timing) */
    String next() throws InterruptedException {
        return signals.poll(30, TimeUnit.SECONDS);
    }

    /** @return the next signal within {@code d}, or null: for checking that nothing more comes */
    String nextWithin(Duration d) throws InterruptedException {
        return signals.poll(d.toNanos(), TimeUnit.NANOSECONDS);
    }
}
