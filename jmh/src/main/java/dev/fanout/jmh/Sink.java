package dev.fanout.jmh;

import org.openjdk.jmh.infra.Blackhole;

/**
 * One subscriber's end: every message a subscriber really receives passes through
 * {@link #accept}, which puts it into a Blackhole and counts it. The figures are built from
 * these counts, so a delivery that never happened cannot be counted.
 *
 * <p>{@link #count} is written by one thread at a time (the libraries serialise a subscriber's
 * deliveries) and read after the JMH iteration barrier.
 */
class Sink {
    final Blackhole hole;
    long count;
    /** Drops the peer reported for this subscriber through a callback (SubmissionPublisher). */
    long drops;

    Sink(Blackhole hole) {
        this.hole = hole;
    }

    final void accept(Object message) {
        hole.consume(message);
        count++;
    }
}
