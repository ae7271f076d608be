package dev.fanout.leaderboard.load;

/**
 * What one client has seen of the leaderboard's sequence, across all its connections: the id
 * ({@code epoch-sequence}) and the snapshot's {@code version} of the last event must only go
 * forward within an epoch, never repeat and never go back, whichever instance sent them and
 * however often the client reconnected with its {@code Last-Event-ID}.
 *
 * <p>A {@code reset} event, or an id of another epoch, starts a new history: the next event is
 * compared with nothing (counted as such by the caller, never as a violation). After a violation
 * the highest position seen stays the reference, so a client shown an old board keeps being
 * compared with the newest it had.
 *
 * <p>Not thread-safe: one selector thread owns a client and all its connections.
 */
final class VersionCheck {

    /** How an event compares with what the client had. */
    enum Step {
        /** The first event of the client, or the first after a reset. */
        FIRST,
        /** A newer sequence number and a newer version: as it must be. */
        FORWARD,
        /** The same sequence number again: a state shown twice. */
        REPEAT,
        /** An older sequence number: an older board. */
        BACKWARDS,
        /** A newer sequence number whose snapshot version is not above the last one. */
        VERSION_NOT_FORWARD,
        /** An id of another epoch without a reset before it: a new history, compared with nothing. */
        NEW_EPOCH
    }

    private String epoch; // null: nothing to compare with
    private long sequence = -1;
    private long version = -1;

    /**
     * @param id       the event's id as sent ({@code epoch-sequence}), or empty
     * @param sequence the number after the id's last {@code -}, or -1
     * @param version  the snapshot's {@code version} field, or -1 when absent
     * @return how it compares; the reference moves forward only
     */
    Step onEvent(String id, long sequence, long version) {
        String e = epochOf(id);
        if (epoch == null) {
            set(e, sequence, version);
            return Step.FIRST;
        }
        if (!epoch.equals(e)) {
            set(e, sequence, version);
            return Step.NEW_EPOCH;
        }
        if (sequence == this.sequence) {
            return Step.REPEAT;
        }
        if (sequence < this.sequence) {
            return Step.BACKWARDS;
        }
        boolean versionForward = version < 0 || this.version < 0 || version > this.version;
        this.sequence = sequence;
        this.version = Math.max(this.version, version);
        return versionForward ? Step.FORWARD : Step.VERSION_NOT_FORWARD;
    }

    /** A {@code reset} event: the next event starts a new history. */
    void reset() {
        epoch = null;
        sequence = -1;
        version = -1;
    }

    /** @return the sequence number of the newest event seen in the current history, or -1 */
    long sequence() {
        return sequence;
    }

    private void set(String e, long s, long v) {
        epoch = e;
        sequence = s;
        version = v;
    }

    private static String epochOf(String id) {
        int dash = id.lastIndexOf('-');
        return dash < 0 ? "" : id.substring(0, dash);
    }
}
