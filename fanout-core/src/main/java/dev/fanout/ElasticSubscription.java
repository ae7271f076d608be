package dev.fanout;

import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A push subscription drained by a pool of workers that follows the backlog: the publisher adds
 * a worker while more than {@code scaleUpBacklog} messages wait (up to {@code max}); a worker
 * above {@code min} that finds no work for {@code idleTimeout} retires. Idle workers wait on a
 * semaphore that the publisher releases only when some worker announced that it is idle.
 *
 * <p>Queue engine only: the workers take from one SPMC buffer (and its preface) concurrently.
 * Whatever the handler throws goes to the hub's listener and the worker goes on.
 */
final class ElasticSubscription<T> extends AbstractSubscription<T> implements PushSubscription<T> {
    private final DeliveryHandler<? super T> handler;
    private final Executor executor;
    private final int min;
    private final int max;
    private final int scaleUpBacklog;
    private final long idleNanos;

    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean terminated = new AtomicBoolean();

    private final Buffer<T> buffer;

    ElasticSubscription(Hub<T> hub, Overflow.ElasticWorkers overflow, Ledger<T> ledger,
                        DeliveryHandler<? super T> handler, Executor executor) {
        super(hub, overflow, ledger);
        this.buffer = ((QueueLane<T>) ledger.lane).buffer;
        this.handler = handler;
        this.executor = executor;
        this.min = overflow.min();
        this.max = overflow.max();
        this.scaleUpBacklog = overflow.scaleUpBacklog();
        this.idleNanos = Checks.nanos(overflow.idleTimeout());
    }

    @Override
    boolean parksFromStart() {
        return true;
    }

    @Override
    void start() {
        for (int i = 0; i < min; i++) {
            addWorker(Integer.MAX_VALUE);
        }
        signal();
    }

    @Override
    void signal() {
        boolean closed = ledger.isClosed();
        boolean draining = ledger.isDraining();
        if (closed || (draining && workers.get() == 0)) {
            wake.release(max);
            if (workers.get() == 0) {
                if (draining && !ledger.isEmpty()) {
                    addWorker(max); // a final worker drains what the closed hub left
                } else {
                    terminate();
                }
            }
            return;
        }
        if (draining) {
            wake.release(max);
            return;
        }
        int backlog = (int) Math.min(Integer.MAX_VALUE, ledger.preface.remaining() + buffer.size());
        if (backlog == 0) {
            return;
        }
        int w = workers.get();
        if (w == 0 || (backlog > scaleUpBacklog && w < max)) {
            addWorker(max);
        } else if (idle.get() > 0 && wake.availablePermits() == 0) {
            wake.release();
        }
    }

    /** Adds a worker unless {@code limit} are running. */
    private void addWorker(int limit) {
        int w;
        do {
            w = workers.get();
            if (w >= limit) {
                return;
            }
        } while (!workers.compareAndSet(w, w + 1));
        peak.accumulateAndGet(w + 1, Math::max);
        try {
            executor.execute(this::work);
        } catch (RejectedExecutionException e) {
            Thread.ofVirtual().name("fanout-elastic").start(this::work); // never strand messages
        }
    }

    private void work() {
        boolean counted = false; // true once this worker has taken itself off the count
        try {
            while (true) {
                if (ledger.isClosed()) {
                    discardRemaining();
                    return;
                }
                boolean draining = ledger.isDraining();
                Delivery<T> d = ledger.preface.poll();
                if (d == null) {
                    d = buffer.poll();
                }
                if (d != null) {
                    handle(d);
                    continue;
                }
                if (draining) {
                    finishDrain();
                    return;
                }
                int waited = awaitWork();
                if (waited == INTERRUPTED) {
                    return;
                }
                if (waited == TIMED_OUT && retire()) {
                    counted = true;
                    return;
                }
            }
        } finally {
            int left = counted ? workers.get() : workers.decrementAndGet();
            if (left == 0) {
                // pairs with the publisher's offer, fence, read of workers: either it saw this
                // worker gone and added one, or this sees its message
                VarHandle.fullFence();
                if (!ledger.isClosed()) {
                    if (!ledger.isEmpty()) {
                        addWorker(max);
                    } else if (ledger.isDraining()) {
                        finishDrain();
                        terminate();
                    }
                } else {
                    terminate();
                }
            }
        }
    }

    private void handle(Delivery<T> d) {
        if (ledger.isClosed() && !ledger.isDrained()) {
            discarded(1); // closed while this worker took it; a drain that ran out still delivers
            return;
        }
        try {
            handler.onDelivery(d.sequence(), d.message());
        } catch (Throwable e) { // any throwable: a handler must never stop a worker
            hub.handlerError(this, d.sequence(), e);
        } finally {
            ledger.delivered(1, d.sequence());
            lane.tookLossless();
        }
    }

    private static final int WORK = 0;
    private static final int TIMED_OUT = 1;
    private static final int INTERRUPTED = 2;

    /** Parks an idle worker until the publisher wakes it, the idle timeout passes or it is interrupted. */
    private int awaitWork() {
        idle.incrementAndGet(); // a full fence: the publisher sees this worker, or this worker sees the message
        try {
            if (!ledger.isEmpty() || !ledger.isOpen()) {
                return WORK;
            }
            return wake.tryAcquire(idleNanos, TimeUnit.NANOSECONDS) ? WORK : TIMED_OUT;
        } catch (InterruptedException e) {
            return INTERRUPTED; // the executor is stopping its threads
        } finally {
            idle.decrementAndGet();
        }
    }

    /** Takes this worker off the count if more than {@code min} run. */
    private boolean retire() {
        int w;
        do {
            w = workers.get();
            if (w <= min) {
                return false;
            }
        } while (!workers.compareAndSet(w, w - 1));
        return true;
    }

    private void terminate() {
        if (workers.get() == 0 && terminated.compareAndSet(false, true)) {
            if (ledger.isClosed()) {
                discardRemaining();
            }
            hub.pushTerminated();
        }
    }

    @Override
    int workers() {
        return workers.get();
    }

    @Override
    int peakWorkers() {
        return peak.get();
    }
}
