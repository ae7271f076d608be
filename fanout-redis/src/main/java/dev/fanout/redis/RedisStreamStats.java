package dev.fanout.redis;

import dev.fanout.Position;

/**
 * A snapshot of one instance's counters of a {@link RedisStreamHub}, taken by
 * {@link RedisStreamHub#stats()} from any thread. Each counter is exact on its own; the snapshot
 * is not atomic across counters. Immutable.
 */
public final class RedisStreamStats {
    private final Position position;
    private final long published;
    private final long publishFailures;
    private final long read;
    private final long missed;
    private final long undecodable;
    private final long epochChanges;
    private final long readErrors;
    private final long recoveries;
    private final long backfilled;
    private final long backfillFailures;

    RedisStreamStats(Position position, long published, long publishFailures, long read, long missed,
                     long undecodable, long epochChanges, long readErrors, long recoveries, long backfilled,
                     long backfillFailures) {
        this.position = position;
        this.published = published;
        this.publishFailures = publishFailures;
        this.read = read;
        this.missed = missed;
        this.undecodable = undecodable;
        this.epochChanges = epochChanges;
        this.readErrors = readErrors;
        this.recoveries = recoveries;
        this.backfilled = backfilled;
        this.backfillFailures = backfillFailures;
    }

    /** {@return the epoch and sequence number of the last entry this instance has read} */
    public Position position() {
        return position;
    }

    /** {@return messages this instance appended to the stream} */
    public long published() {
        return published;
    }

    /** {@return publishes that failed with {@link RedisStreamException}} */
    public long publishFailures() {
        return publishFailures;
    }

    /** {@return entries read from the stream and handed to the local hub} */
    public long read() {
        return read;
    }

    /**
     * {@return sequence numbers this instance skipped because the stream no longer held them
     * when it read on (trimmed by {@code MAXLEN} while it could not read): what Redis lost
     * for it. Not counted: what lies before the first entry read in an epoch.}
     */
    public long missed() {
        return missed;
    }

    /**
     * {@return entries skipped because the codec could not decode them, or because they carried
     * another epoch than the stream's own (written by something else than this module)}
     */
    public long undecodable() {
        return undecodable;
    }

    /** {@return times the stream's epoch changed under this instance (its history was lost)} */
    public long epochChanges() {
        return epochChanges;
    }

    /** {@return failed reads (Redis down, paused, unreachable); the reader retries} */
    public long readErrors() {
        return readErrors;
    }

    /** {@return times the reader read again after failing: each a catch-up from its last entry} */
    public long recoveries() {
        return recoveries;
    }

    /** {@return entries read back from the stream for resumes that the local history could not serve} */
    public long backfilled() {
        return backfilled;
    }

    /** {@return resumes whose read-back failed or was too long, each a gap for its subscriber} */
    public long backfillFailures() {
        return backfillFailures;
    }

    @Override
    public String toString() {
        return "RedisStreamStats[position=" + position + ", published=" + published + ", publishFailures="
                + publishFailures + ", read=" + read + ", missed=" + missed + ", undecodable=" + undecodable
                + ", epochChanges=" + epochChanges + ", readErrors=" + readErrors + ", recoveries=" + recoveries
                + ", backfilled=" + backfilled + ", backfillFailures=" + backfillFailures + "]";
    }
}
