package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A block of counters with one writer (or, when built {@code shared}, several) that any thread
 * may read: the six drop causes, plus the one flow counter of its side (offered on the producer
 * side, delivered on the consumer side) and the consumer's last sequence and high-water mark.
 *
 * <p>A single writer uses a plain read and a release store, no atomic instruction, as Agrona's
 * counters do; readers use acquire loads, so a snapshot sees every count a writer published
 * before the value it read. The block is padded on both sides so that the producer's and the
 * consumer's counters never share a cache line with each other or a neighbour.
 */
final class Counts {
    /** Messages offered (producer block) or taken (consumer block). */
    static final int FLOW = DropCause.values().length;
    /**
     * Consumer block: the sequence of the last message taken. Producer block: the sequence of the
     * last message queued bare (see {@link SequencedQueue}), read and written by the publisher only.
     */
    static final int LAST_SEQUENCE = FLOW + 1;
    /** Consumer block: the largest depth the consumer found. */
    static final int HIGH_WATER = FLOW + 2;
    private static final int WIDTH = FLOW + 3;
    /** Eight longs, a cache line, before and after the counters. */
    private static final int PAD = 8;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final DropCause[] CAUSES = DropCause.values();

    private final long[] slots = new long[PAD + WIDTH + PAD];
    private final boolean shared;

    /** @param shared true when several threads write (elastic workers): atomic adds then */
    Counts(boolean shared) {
        this.shared = shared;
    }

    /** Writer: adds {@code n} to a slot. */
    void add(int slot, long n) {
        int i = PAD + slot;
        if (shared) {
            SLOT.getAndAdd(slots, i, n);
        } else {
            SLOT.setRelease(slots, i, slots[i] + n);
        }
    }

    /** Writer: its own last value of a slot (a plain read). */
    long own(int slot) {
        return slots[PAD + slot];
    }

    /** Writer, single only: sets a slot. */
    void put(int slot, long value) {
        SLOT.setRelease(slots, PAD + slot, value);
    }

    /** Writer: counts {@code n} drops for {@code cause}. */
    void drop(DropCause cause, long n) {
        add(cause.ordinal(), n);
    }

    /** Writer: raises a slot to {@code value} if it is lower (the last sequence, the high-water mark). */
    void raise(int slot, long value) {
        int i = PAD + slot;
        if (shared) {
            long seen;
            while (value > (seen = (long) SLOT.getAcquire(slots, i)) && !SLOT.weakCompareAndSetRelease(slots, i, seen, value)) {
                Thread.onSpinWait(); // workers finish out of order: keep the largest
            }
        } else if (value > slots[i]) {
            SLOT.setRelease(slots, i, value);
        }
    }

    /**
     * Any thread, for a slot that only grows and that several threads may raise (the high-water
     * mark: the consumer raises it when it looks, a statistics call or a close when they look):
     * a compare-and-set only when the value is a new maximum, so rarely.
     */
    void raiseFromAnyThread(int slot, long value) {
        int i = PAD + slot;
        long seen;
        while (value > (seen = (long) SLOT.getAcquire(slots, i)) && !SLOT.weakCompareAndSetRelease(slots, i, seen, value)) {
            Thread.onSpinWait();
        }
    }

    /** Any thread. */
    long get(int slot) {
        return (long) SLOT.getAcquire(slots, PAD + slot);
    }

    /** Any thread: adds this block's drops, cause by cause, to {@code into}. */
    void addDropsTo(long[] into) {
        for (int c = 0; c < FLOW; c++) {
            into[c] += get(c);
        }
    }

    /** @return the sum over causes of a drops array such as {@link #addDropsTo} fills */
    static long total(long[] drops) {
        long n = 0;
        for (int c = 0; c < FLOW; c++) {
            n += drops[c];
        }
        return n;
    }

    /** @return a new array to count drops by cause */
    static long[] newDrops() {
        return new long[FLOW];
    }

    static DropCause cause(int ordinal) {
        return CAUSES[ordinal];
    }
}
