package dev.fanout.sse;

import dev.fanout.Subscription;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * One open stream: the request's thread that writes it, its subscription, and the hand-offs
 * between that thread and the others.
 *
 * <h2>The thread is the subscription's executor</h2>
 * The connection subscribes as a push subscription whose executor is this object:
 * {@link #execute} stores the hub's drain task and unparks the request's thread, which runs the
 * task itself (the handler collects frames), then writes them. Between messages the thread parks
 * with no timeout, so an idle stream costs no timer; the {@link Ticker} unparks it when a
 * heartbeat is due. Drain tasks never overlap (the subscription runs one at a time), so a single
 * slot suffices.
 *
 * <h2>Write stalls</h2>
 * {@code writing} holds the {@link System#nanoTime()} at which the current write began
 * (positive), {@link #IDLE} between writes, {@link #STALLED} once the ticker has claimed the
 * write, and {@link #EVICTED} once it has closed the subscription and interrupted the thread.
 * The ticker claims a write by a compare-and-set on the very start time it judged too old, so it
 * can never interrupt a later write, nor the thread once it has left the handler: the writer
 * that loses the race waits for {@link #EVICTED} and clears its interrupt.
 */
final class Connection implements Executor {
    static final long IDLE = 0;
    static final long STALLED = -1;
    static final long EVICTED = -2;

    private static final VarHandle WRITING;
    private static final VarHandle TASK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WRITING = l.findVarHandle(Connection.class, "writing", long.class);
            TASK = l.findVarHandle(Connection.class, "task", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread;
    /** Set once, by the request's thread, right after subscribing; read by other threads after publication in the set. */
    volatile Subscription<?> subscription;
    private volatile long writing;
    private volatile Runnable task;
    /** The end of the last write (or of the stream's start); read by the ticker. */
    volatile long lastWrite;
    volatile boolean heartbeatDue;
    /** Set when the handler closes: the stream ends with {@link SseDisconnect#SHUTDOWN}. */
    volatile boolean shutdown;

    Connection(Thread thread) {
        this.thread = thread;
        this.lastWrite = System.nanoTime();
    }

    // ------------------------------------------------------------------ hand-offs to the request's thread

    /** Any thread (the publisher, a closer): hands the subscription's drain task to the request's thread. */
    @Override
    public void execute(Runnable command) {
        task = command;
        LockSupport.unpark(thread);
    }

    /** Request's thread: the pending drain task, or null. */
    Runnable takeTask() {
        return task == null ? null : (Runnable) TASK.getAndSet(this, null);
    }

    /** Ticker: asks for a heartbeat. */
    void heartbeat() {
        heartbeatDue = true;
        LockSupport.unpark(thread);
    }

    /** Any thread: ends the stream at its next turn. */
    void shutdown() {
        shutdown = true;
        Subscription<?> s = subscription;
        if (s != null) {
            s.close();
        }
        LockSupport.unpark(thread);
    }

    // ------------------------------------------------------------------ write stalls

    /** Request's thread: a write begins. */
    void beginWrite() {
        long now = System.nanoTime();
        writing = now > 0 ? now : 1;
    }

    /**
     * Request's thread: the write ended (normally or not).
     *
     * @return false when the ticker evicted this connection during the write; the interrupt it
     *         sent has then been cleared
     */
    boolean endWrite() {
        long w = writing;
        if (w > 0 && WRITING.compareAndSet(this, w, IDLE)) {
            lastWrite = System.nanoTime();
            return true;
        }
        while (writing != EVICTED) {
            Thread.onSpinWait(); // the ticker is between its compare-and-set and its interrupt
        }
        Thread.interrupted();
        return false;
    }

    boolean evicted() {
        long w = writing;
        return w == STALLED || w == EVICTED;
    }

    /**
     * Ticker: evicts the connection when its current write began before {@code now - stallNanos}.
     *
     * @return true when it evicted it now
     */
    boolean evictIfStalled(long now, long stallNanos) {
        long w = writing;
        if (w <= 0 || now - w < stallNanos || !WRITING.compareAndSet(this, w, STALLED)) {
            return false;
        }
        try {
            Subscription<?> s = subscription;
            if (s != null) {
                s.close();
            }
            thread.interrupt();
        } finally {
            writing = EVICTED;
        }
        return true;
    }

    /** Ticker: whether the stream has been idle (not writing) since {@code now - heartbeatNanos}. */
    boolean idleSince(long now, long heartbeatNanos) {
        return writing == IDLE && !heartbeatDue && now - lastWrite >= heartbeatNanos;
    }
}
