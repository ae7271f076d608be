package dev.fanout;

/**
 * What the publish under way did, subscriber by subscriber: the engines count into it and
 * {@link Hub#publishAndReport} turns it into a {@link PublishResult}. One per hub, reused: only
 * the publisher in flight (publishers are serialised) writes and reads it.
 */
final class Tally {
    int subscribers;
    int accepted;
    final int[] drops = new int[DropCause.values().length];
    /** A drop was counted since the last reset: most publishes drop nothing, and skip clearing. */
    private boolean dropped;

    void reset() {
        subscribers = 0;
        accepted = 0;
        if (dropped) {
            java.util.Arrays.fill(drops, 0);
            dropped = false;
        }
    }

    void drop(DropCause cause) {
        drops[cause.ordinal()]++;
        dropped = true;
    }

    PublishResult result(long sequence) {
        return new PublishResult(sequence, subscribers, accepted, drops);
    }
}
