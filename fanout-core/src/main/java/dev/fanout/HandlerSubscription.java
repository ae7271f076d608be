package dev.fanout;

import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscription whose handler runs on an executor, one batch at a time and in order. No
 * thread is held while it holds nothing: a drain task is scheduled when a message arrives and
 * the subscription is idle, runs batches until nothing is left, and goes idle again. The run
 * state hands the single-consumer role from one task to the next with a happens-before edge.
 *
 * <p>Whatever the handler throws (a checked exception thrown sneakily, an {@code Error}, a
 * {@code StackOverflowError}) goes to the hub's listener and delivery goes on with the next
 * message: the message it threw on counts as delivered.
 */
final class HandlerSubscription<T> extends AbstractSubscription<T> implements PushSubscription<T>, Runnable {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    /** Batches one task runs before it yields its thread to other tasks of a shared executor. */
    private static final int BATCHES_PER_TASK = 16;

    private final Executor executor;
    private final int batchSize;
    private final AtomicInteger run = new AtomicInteger(IDLE);
    private final GuardedSink<T> sink;

    HandlerSubscription(Hub<T> hub, Overflow overflow, Ledger<T> ledger, DeliveryHandler<? super T> handler,
                        Executor executor, int batchSize) {
        super(hub, overflow, ledger);
        this.executor = executor;
        this.batchSize = batchSize;
        this.sink = new GuardedSink<>(ledger, handler, this);
    }

    @Override
    boolean parksFromStart() {
        return true;
    }

    @Override
    void start() {
        lane.beforePark(this); // ring engine: be woken by the first publish
        VarHandle.fullFence();
        signal(); // anything already held, or an end that came first
    }

    @Override
    void signal() {
        if (run.get() == IDLE && (!ledger.isEmpty() || !ledger.isOpen()) && run.compareAndSet(IDLE, RUNNING)) {
            schedule();
        }
    }

    /**
     * Ring engine: the hub took this subscription off its wake list. An idle drainer that has
     * already drained the message that woke it must stay on the list, or no later publish would
     * wake it: it enlists again before it looks.
     */
    @Override
    void wakeFromList() {
        delisted();
        if (run.get() == IDLE) {
            lane.beforePark(this);
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
            if (ledger.isClosed()) {
                discardRemaining();
                finish();
                return;
            }
            GuardedSink<T> s = sink;
            s.reset();
            ledger.preface.drain(s, batchSize);
            int left = batchSize - s.taken();
            if (left > 0) {
                lane.drain(s, left, this);
            }
            counted(s);
            if (s.taken() > 0) {
                if (++batches < BATCHES_PER_TASK) {
                    continue;
                }
                schedule(); // still RUNNING: the next task goes on where this one stops
                return;
            }
            if (nothingTaken()) {
                continue; // ended: the top of the loop finishes
            }
            run.set(IDLE);
            lane.beforePark(this);
            VarHandle.fullFence();
            if ((ledger.isEmpty() && ledger.isOpen()) || !run.compareAndSet(IDLE, RUNNING)) {
                return;
            }
        }
    }

    private void finish() {
        if (run.getAndSet(DONE) != DONE) {
            hub.pushTerminated();
        }
    }

    /** Calls the user's handler; whatever it throws goes to the listener and delivery goes on. */
    private static final class GuardedSink<T> extends Sink<T> {
        private final DeliveryHandler<? super T> handler;
        private final HandlerSubscription<T> owner;

        GuardedSink(Ledger<T> ledger, DeliveryHandler<? super T> handler, HandlerSubscription<T> owner) {
            super(ledger);
            this.handler = handler;
            this.owner = owner;
        }

        @Override
        void handle(long sequence, T message) {
            try {
                handler.onDelivery(sequence, message);
            } catch (Throwable e) { // any throwable: a handler must never wedge its subscription
                owner.hub.handlerError(owner, sequence, e);
            }
        }
    }
}
