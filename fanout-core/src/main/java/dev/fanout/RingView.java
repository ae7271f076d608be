package dev.fanout;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jctools.queues.MessagePassingQueue;

/**
 * One subscriber's cursor on the hub's ring, seen as a {@link Buffer}: the producer never offers
 * to it; the single consumer reads the slots after its cursor.
 *
 * <p>Ring sequence {@code r} holds hub sequence {@code r + 1}. A slot holds an immutable
 * {@link Delivery} whose fields are final, so even a read that races with the producer's
 * overwrite of a later lap sees a whole delivery, and comparing its sequence with the expected
 * one tells whether the slot was lapped. Such a read is never handed out: the consumer skips
 * ahead and counts what it skipped.
 *
 * <p>Lossless subscribers own a gating {@link Sequence} on the ring: the producer may not claim
 * a slot more than the ring's size ahead of it. When the producer waits past the subscriber's
 * limit it demotes it (removes the gate); the subscriber then counts what it lost as
 * {@link DropCause#TIMEOUT} when it next reads, and gates again.
 */
final class RingView<T> extends Buffer<T> {
    static final int LOSSLESS = 0;
    static final int DROP_OLDEST = 1;
    static final int LATEST_ONLY = 2;
    static final int DISCONNECT = 3;

    private static final VarHandle NEXT;
    private static final VarHandle HIGH_WATER;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(RingView.class, "next", long.class);
            HIGH_WATER = MethodHandles.lookup().findVarHandle(RingView.class, "highWater", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Counts what a lapped or demoted consumer skipped, and closes a slow one. */
    interface Skips {
        void skipped(DropCause cause, long n);

        void tooSlow(long backlog);

        void regated();
    }

    private final RingBuffer<Slot<T>> ring;
    private final int mode;
    private final int capacity;
    private final Sequence gate;
    private final long start;
    private Skips skips;
    /** The largest backlog (at most the capacity) the consumer found when it read; consumer-written. */
    private int highWater;
    /**
     * The ring's cursor as the consumer last read it. Reading the cursor, which the producer
     * writes on every publish, once per catch-up instead of once per message spares the consumer
     * a cache miss per message; a later lap of the slots it then reads is still caught by their
     * sequence check.
     */
    private long cachedCursor = -1;
    /** The next ring sequence to read; written by the consumer only. */
    private long next;
    private volatile boolean demoted;
    /**
     * The last ring sequence offered to this subscriber: the cursor when it closed, so that a
     * closed subscription's offered count and depth stop growing and its consumer never reads a
     * message published after the close. {@code Long.MAX_VALUE} while it is open.
     */
    private volatile long end = Long.MAX_VALUE;

    /**
     * @param gate a lossless subscriber's gate, already added to the ring; null for a lossy one
     */
    RingView(RingBuffer<Slot<T>> ring, int mode, int capacity, long next, Sequence gate) {
        this.ring = ring;
        this.mode = mode;
        this.capacity = mode == LATEST_ONLY ? 1 : Math.min(capacity, ring.getBufferSize());
        this.next = next;
        this.start = next;
        this.gate = gate;
    }

    /** Any thread: how many messages the ring has held for this subscriber since it started. */
    long offered() {
        return Math.max(0, last() + 1 - start);
    }

    /** The last ring sequence this subscriber may read: the cursor, or where it stood at the close. */
    private long last() {
        return Math.min(ring.getCursor(), end);
    }

    /**
     * Any thread, once, after the subscription's state became closed: later messages are not
     * offered to it.
     */
    void freeze() {
        if (end == Long.MAX_VALUE) {
            end = ring.getCursor();
        }
    }

    void bind(Skips skips) {
        this.skips = skips;
    }

    /** A ring slot: the delivery of the lap that wrote it last. */
    static final class Slot<T> {
        Delivery<T> delivery;
    }

    Sequence gate() {
        return gate;
    }

    boolean isLossless() {
        return gate != null;
    }

    /** Producer side: stop gating on this subscriber; it will count its loss as TIMEOUT. */
    void demote() {
        demoted = true;
        ring.removeGatingSequence(gate);
    }

    boolean isDemoted() {
        return demoted;
    }

    /** Any thread: stop gating for good (the subscription ended). */
    void ungate() {
        if (gate != null) {
            ring.removeGatingSequence(gate);
        }
    }

    int mode() {
        return mode;
    }

    /** Producer side: how far behind the cursor this consumer is. */
    long backlog(long cursor) {
        return cursor + 1 - (long) NEXT.getOpaque(this);
    }

    @Override
    int offer(Delivery<T> d) {
        throw new UnsupportedOperationException("the ring is written by the hub, not offered to");
    }

    @Override
    Delivery<T> poll() {
        while (true) {
            if (end != Long.MAX_VALUE) {
                // closed: what is left is discarded and counted CLOSED (or DISCONNECTED) by the
                // subscription, not skipped as if lapped: the producer stopped gating on it
                return null;
            }
            long n = next;
            long cursor = cachedCursor;
            if (n > cursor) {
                // caught up with the cursor seen last: only now read the producer's cache line
                cursor = cachedCursor = ring.getCursor();
                if (n > cursor) {
                    return null;
                }
            }
            if (!admit(cursor, n)) {
                if (mode == DISCONNECT) {
                    return null;
                }
                continue;
            }
            Delivery<T> d = ring.get(n).delivery;
            if (d == null || d.sequence() != n + 1) {
                if (mode == DISCONNECT) {
                    skips.tooSlow(cursor + 1 - n); // overtaken: it was full
                    return null;
                }
                lapped();
                continue;
            }
            if (n > end) {
                return null; // closed while it read, before this message: not offered to it
            }
            advance(n + 1);
            return d;
        }
    }

    /**
     * Applies the strategy to a backlog that exceeds the capacity.
     *
     * @return true when slot {@code n} may be read now
     */
    private boolean admit(long cursor, long n) {
        if (demoted) {
            rejoin(cursor, n);
            return false;
        }
        long backlog = cursor + 1 - n;
        int seen = (int) Math.min(backlog, capacity);
        if (seen > highWater) {
            HIGH_WATER.setRelease(this, seen);
        }
        if (backlog <= capacity) {
            return true;
        }
        long skip = backlog - capacity;
        switch (mode) {
            case DROP_OLDEST -> skips.skipped(DropCause.OLDEST, skip);
            case LATEST_ONLY -> skips.skipped(DropCause.SUPERSEDED, skip);
            case DISCONNECT -> {
                skips.tooSlow(backlog);
                return false;
            }
            default -> { // lossless and not demoted: the gate keeps the backlog within the ring
                return true;
            }
        }
        advance(n + skip);
        return false;
    }

    /** A demoted lossless consumer: count what it lost, jump to the cursor, gate again. */
    private void rejoin(long cursor, long n) {
        demoted = false;
        gate.set(cursor);
        ring.addGatingSequences(gate); // sets the gate to the cursor at the time it is added
        skips.regated(); // a close that raced with this must remove the gate again
        // the oldest slots were overwritten while this subscriber did not gate; the rest are
        // still readable (each read is checked against a later lap anyway)
        long resume = Math.min(Math.max(n, ring.getCursor() + 1 - ring.getBufferSize()), last() + 1);
        long lost = resume - n;
        if (lost > 0) {
            skips.skipped(DropCause.TIMEOUT, lost);
        }
        advance(resume);
    }

    /** Slot {@code next} held a later lap: the producer overtook this reader while it read. */
    private void lapped() {
        long cursor = ring.getCursor();
        long oldestSafe = cursor - ring.getBufferSize() + 1;
        long n = next;
        long target = Math.max(n + 1, Math.min(oldestSafe + (ring.getBufferSize() >> 2), Math.min(cursor, end) + 1));
        skips.skipped(mode == LOSSLESS ? DropCause.TIMEOUT : mode == LATEST_ONLY ? DropCause.SUPERSEDED
                : DropCause.OLDEST, target - n);
        advance(target);
    }

    private void advance(long to) {
        NEXT.setRelease(this, to);
        if (gate != null && !demoted) {
            gate.set(to - 1);
        }
    }

    @Override
    int drain(MessagePassingQueue.Consumer<Delivery<T>> sink, int limit) {
        int taken = 0;
        Delivery<T> d;
        while (taken < limit && (d = poll()) != null) {
            taken++;
            sink.accept(d);
        }
        return taken;
    }

    @Override
    int discard() {
        long cursor = last();
        long n = next;
        advance(Math.max(n, cursor + 1));
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, cursor + 1 - n));
    }

    @Override
    int size() {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, last() + 1 - (long) NEXT.getOpaque(this)));
    }

    @Override
    boolean isEmpty() {
        return (long) NEXT.getOpaque(this) > last();
    }

    /** Any thread: the largest backlog the consumer found when it read, at most the capacity. */
    int highWater() {
        return (int) HIGH_WATER.getAcquire(this);
    }

    @Override
    int capacity() {
        return capacity;
    }
}
