package dev.fanout.jmh;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A subject of the fan-out scenario: one publisher thread calls {@link #publish}, {@code workers}
 * drain threads call {@link #sweep}, each over its share of the subscribers, as a server's
 * event loops would.
 *
 * <p>Worker {@code w} owns subscribers {@code [w * n / workers, (w + 1) * n / workers)}. When the
 * scenario has a stalled subscriber, subscriber 0 is never swept.
 */
abstract class Target implements AutoCloseable, Counted {
    final int subscribers;
    final int workers;
    final boolean stalled;
    final Blackhole hole;
    final Sink[] sinks;
    /** Messages the publisher handed over that the subject accepted as published; publisher thread only. */
    long published;

    Target(int subscribers, int workers, boolean stalled, Blackhole hole) {
        if (subscribers < 1 || workers < 1) {
            throw new IllegalArgumentException("subscribers: " + subscribers + ", workers: " + workers
                    + " (expected: >= 1)");
        }
        this.subscribers = subscribers;
        this.workers = workers;
        this.stalled = stalled;
        this.hole = hole;
        this.sinks = new Sink[subscribers];
        for (int i = 0; i < subscribers; i++) {
            sinks[i] = new Sink(hole);
        }
    }

    final int from(int worker) {
        int from = (int) ((long) worker * subscribers / workers);
        return stalled && from == 0 ? 1 : from;
    }

    final int to(int worker) {
        return (int) ((long) (worker + 1) * subscribers / workers);
    }

    final boolean isStalled(int subscriber) {
        return stalled && subscriber == 0;
    }

    /** Publisher thread: hands one message to every subscriber by the subject's own rules. */
    abstract void publish(Long message);

    /**
     * Drain thread {@code worker}: one pass over its share of the subscribers.
     *
     * @return how many messages the pass delivered, or any positive number when it cannot tell
     *         but did work (push-based peers)
     */
    abstract int sweep(int worker);

    /** @return the messages the subscribers received so far: the sum of the sinks' counts */
    @Override
    public final long delivered() {
        long n = 0;
        for (Sink s : sinks) {
            n += s.count;
        }
        return n;
    }

    /** @return the drops the subject reported so far, or 0 when it does not report them */
    @Override
    public abstract long dropped();

    /**
     * Runs every worker's sweeps on the calling thread until nothing more arrives: after the
     * publisher has stopped, everything in flight reaches the sinks.
     */
    final void quiesce() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int idleRounds = 0;
        while (idleRounds < 3) {
            long before = delivered();
            int work = 0;
            for (int w = 0; w < workers; w++) {
                work += sweep(w);
            }
            idleRounds = work == 0 && delivered() == before ? idleRounds + 1 : 0;
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(this + ": deliveries did not settle within 10 s");
            }
        }
    }

    /**
     * The setup check: one message published and drained reaches every subscriber that is not
     * stalled, so every subscriber is wired to a drain thread.
     */
    final void probe() {
        long[] before = new long[subscribers];
        for (int i = 0; i < subscribers; i++) {
            before[i] = sinks[i].count;
        }
        publish(Messages.get(0));
        quiesce();
        for (int i = 0; i < subscribers; i++) {
            long got = sinks[i].count - before[i];
            if (!isStalled(i) && got != 1) {
                throw new IllegalStateException(this + ": subscriber " + i + " received " + got
                        + " of 1 probe message");
            }
        }
    }

    /**
     * The teardown check, after {@link #quiesce()}: the sinks' counts agree with what the subject
     * says it delivered and dropped, and lossless subjects delivered every message to every
     * subscriber that is not stalled.
     *
     * @return the problems found, empty when the counts add up
     */
    abstract List<String> check();

    /** The trial teardown: drains what is in flight, checks the counts, and closes the subject. */
    final void finish() {
        try {
            quiesce();
            verify();
        } finally {
            close();
        }
    }

    final void verify() {
        List<String> problems = check();
        if (!problems.isEmpty()) {
            List<String> shown = new ArrayList<>(problems.subList(0, Math.min(5, problems.size())));
            throw new IllegalStateException(this + ": " + problems.size() + " subscriber counts do not add up: "
                    + shown);
        }
    }

    /** A lossless subject: every subscriber that is not stalled received every published message. */
    final List<String> checkLossless() {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            if (!isStalled(i) && sinks[i].count != published) {
                problems.add("subscriber " + i + " received " + sinks[i].count + " of " + published);
            }
        }
        return problems;
    }

    @Override
    public abstract void close();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[subscribers=" + subscribers + ", workers=" + workers
                + (stalled ? ", one stalled" : "") + ", published=" + published + "]";
    }
}
