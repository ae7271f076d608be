package dev.fanout;

import java.util.concurrent.locks.LockSupport;

/**
 * How a publisher waits for room: it parks in bounded steps, 50 µs doubling up to 1 ms, and
 * looks again after each. Consumers unpark a waiting publisher without a fence of their own
 * (which would cost every take), so a wake-up can be lost to a race; the bounded step makes such
 * a loss cost at most one step, never the publisher's whole wait. One instance per wait, on the
 * publisher's thread.
 */
final class ProducerBackoff {
    /** The first park: 50 µs. */
    static final long FIRST_STEP_NANOS = 50_000;
    /** The longest park between two looks: 1 ms. */
    static final long MAX_STEP_NANOS = 1_000_000;

    private final long deadline;
    private long step = FIRST_STEP_NANOS;

    /**
     * @param start    {@link System#nanoTime()} when the wait began
     * @param maxNanos the longest wait, {@link Long#MAX_VALUE} for none
     */
    ProducerBackoff(long start, long maxNanos) {
        this.deadline = deadline(start, maxNanos);
    }

    /** @return {@code start + maxNanos}, saturated at {@link Long#MAX_VALUE} (no deadline) */
    static long deadline(long start, long maxNanos) {
        long d = start + maxNanos;
        return maxNanos == Long.MAX_VALUE || d - start < 0 ? Long.MAX_VALUE : d;
    }

    /** @return true when the deadline has passed or the thread was interrupted */
    boolean expired() {
        return expired(deadline);
    }

    static boolean expired(long deadline) {
        return (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) || Thread.currentThread().isInterrupted();
    }

    /** Parks one step (never past the deadline), then doubles the step. */
    void park(Object blocker) {
        long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (remaining > 0) {
            LockSupport.parkNanos(blocker, Math.min(remaining, step));
        }
        step = Math.min(step << 1, MAX_STEP_NANOS);
    }
}
