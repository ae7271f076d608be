package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A block of counters with one writer (or, when built {@code shared}, several) that any thread
 * may read: the six drop causes, plus the one flow counter of its side (offered on the producer
 * side, unless the buffer counts its offers itself as {@link SequencedQueue} does; delivered on
 * the consumer side) and the consumer's last sequence and high-water mark.
 *
 * <p>A single writer uses a plain read and a release store, no atomic instruction, as Agrona's
 * counters do; readers use acquire loads, so a snapshot sees every count a writer published
 * before the value it read. The counters written on every take (the flow, the last sequence,
 * the high water) are fields of the block itself, on one cache line padded on both sides, so
 * that the producer's and the consumer's blocks never share a line with each other or a
 * neighbour and are reached without a second object; the drops, written only when something
 * is lost, are in an array.
 */
final class Counts extends CountsHot {
    /** How many drop causes there are: the width of a drops array ({@link #newDrops()}). */
    static final int DROP_CAUSES = DropCause.values().length;
    private static final VarHandle DROP = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle FLOW_COUNT;
    private static final VarHandle LAST_SEQUENCE;
    private static final VarHandle HIGH_WATER;
    private static final DropCause[] CAUSES = DropCause.values();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLOW_COUNT = l.findVarHandle(CountsHot.class, "flow", long.class);
            LAST_SEQUENCE = l.findVarHandle(CountsHot.class, "lastSequence", long.class);
            HIGH_WATER = l.findVarHandle(CountsHot.class, "highWater", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 64 bytes after the hot fields. */
    long p10, p11, p12, p13, p14, p15, p16, p17;

    /** @param shared true when several threads write (elastic workers): atomic adds then */
    Counts(boolean shared) {
        super(shared);
    }

    /** Writer: adds {@code n} to the flow counter. */
    void addFlow(long n) {
        if (shared) {
            FLOW_COUNT.getAndAdd(this, n);
        } else {
            FLOW_COUNT.setRelease(this, flow + n);
        }
    }

    /** Writer: counts {@code n} drops for {@code cause}. */
    void drop(DropCause cause, long n) {
        int i = cause.ordinal();
        if (shared) {
            DROP.getAndAdd(drops, i, n);
        } else {
            DROP.setRelease(drops, i, drops[i] + n);
        }
    }

    /** Writer: raises the last sequence to {@code value} if it is lower. */
    void raiseLastSequence(long value) {
        if (shared) {
            raise(LAST_SEQUENCE, value); // workers finish out of order: keep the largest
        } else if (value > lastSequence) {
            LAST_SEQUENCE.setRelease(this, value);
        }
    }

    /**
     * Any thread: raises the high-water mark, which only grows and which several threads may
     * raise (the consumer when it looks, a statistics call or a close when they look): a
     * compare-and-set only when the value is a new maximum, so rarely.
     */
    void raiseHighWater(long value) {
        raise(HIGH_WATER, value);
    }

    private void raise(VarHandle field, long value) {
        long seen;
        while (value > (seen = (long) field.getAcquire(this)) && !field.weakCompareAndSetRelease(this, seen, value)) {
            Thread.onSpinWait();
        }
    }

    /** Any thread. */
    long flow() {
        return (long) FLOW_COUNT.getAcquire(this);
    }

    /** Any thread. */
    long lastSequence() {
        return (long) LAST_SEQUENCE.getAcquire(this);
    }

    /** Any thread. */
    long highWater() {
        return (long) HIGH_WATER.getAcquire(this);
    }

    /** Any thread: adds this block's drops, cause by cause, to {@code into}. */
    void addDropsTo(long[] into) {
        for (int c = 0; c < DROP_CAUSES; c++) {
            into[c] += (long) DROP.getAcquire(drops, c);
        }
    }

    /** @return the sum over causes of a drops array such as {@link #addDropsTo} fills */
    static long total(long[] drops) {
        long n = 0;
        for (int c = 0; c < DROP_CAUSES; c++) {
            n += drops[c];
        }
        return n;
    }

    /** @return a new array to count drops by cause */
    static long[] newDrops() {
        return new long[DROP_CAUSES];
    }

    static DropCause cause(int ordinal) {
        return CAUSES[ordinal];
    }
}

/** 64 bytes ahead of the hot fields (HotSpot lays out a superclass's fields first). */
abstract class CountsPad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class CountsHot extends CountsPad {
    /** Messages offered (producer block) or taken (consumer block). */
    long flow;
    /** Consumer block: the sequence of the last message taken. */
    long lastSequence;
    /** Consumer block: the largest depth the consumer found. */
    long highWater;
    final long[] drops = new long[Counts.DROP_CAUSES];
    final boolean shared;

    CountsHot(boolean shared) {
        this.shared = shared;
    }
}
