package dev.fanout;

import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MessagePassingQueue;

/**
 * A subscription whose handler runs on an executor, one batch at a time and in order. No
 * thread is held while the buffer is empty: a drain task is scheduled when a message arrives
 * and the subscription is idle, runs batches until the buffer is empty, and goes idle again.
 * The run state hands the single-consumer role from one task to the next with a
 * happens-before edge.
 */
final class PushSubscription<T> extends BufferedSubscription<T> implements Runnable {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    /** Batches one task runs before it yields its thread to other tasks of a shared executor. */
    private static final int BATCHES_PER_TASK = 16;

    private final DeliveryHandler<? super T> handler;
    private final Executor executor;
    private final int batchSize;
    private final AtomicInteger run = new AtomicInteger(IDLE);
    private final GuardedSink sink = new GuardedSink();

    PushSubscription(Hub<T> hub, Overflow overflow, int capacity, DeliveryHandler<? super T> handler,
                     Executor executor, int batchSize, Start<T> start) {
        super(hub, overflow, capacity, false, start);
        this.handler = handler;
        this.executor = executor;
        this.batchSize = batchSize;
    }

    @Override
    public boolean isPush() {
        return true;
    }

    @Override
    void start() {
        beforePark(); // ring engine: be woken by the first publish
        VarHandle.fullFence();
        signal(); // anything already queued, or an end that came first
    }

    @Override
    void signal() {
        if (run.get() == IDLE && (!buffer.isEmpty() || state() != OPEN) && run.compareAndSet(IDLE, RUNNING)) {
            schedule();
        }
    }

    /**
     * Ring engine: the hub took this subscription off its wake list. An idle drainer that has
     * already drained the message that woke it must stay on the list, or no later publish would
     * wake it: it enlists again before the buffer is checked.
     */
    @Override
    void wakeFromRing() {
        delisted();
        if (run.get() == IDLE) {
            beforePark();
            VarHandle.fullFence();
        }
        signal();
    }

    private void schedule() {
        try {
            executor.execute(this);
        } catch (RejectedExecutionException e) {
            Thread.ofVirtual().name("fanout-push").start(this); // the executor is shut down: never strand messages
        }
    }

    @Override
    public void run() {
        int batches = 0;
        while (true) {
            if (state() == CLOSED) {
                discardRemaining();
                finish();
                return;
            }
            sink.count = 0;
            buffer.drain(sink, batchSize);
            int n = sink.count;
            took(n, sink.last);
            if (n > 0) {
                if (++batches < BATCHES_PER_TASK) {
                    continue;
                }
                schedule(); // still RUNNING: the next task goes on where this one stops
                return;
            }
            if (state() == DRAINING) {
                finish();
                return;
            }
            run.set(IDLE);
            beforePark();
            VarHandle.fullFence();
            if ((buffer.isEmpty() && state() == OPEN) || !run.compareAndSet(IDLE, RUNNING)) {
                return;
            }
        }
    }

    private void finish() {
        run.set(DONE);
        hub.pushTerminated(this);
    }

    boolean isTerminated() {
        return run.get() == DONE;
    }

    /** Calls the user's handler; an exception goes to the listener and delivery goes on. */
    private final class GuardedSink implements MessagePassingQueue.Consumer<Delivery<T>> {
        int count;
        long last;

        @Override
        public void accept(Delivery<T> d) {
            count++;
            last = d.sequence();
            try {
                handler.onDelivery(d.sequence(), d.message());
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                hub.handlerError(PushSubscription.this, d.sequence(), e);
            }
        }
    }
}
