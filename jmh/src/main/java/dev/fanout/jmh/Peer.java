package dev.fanout.jmh;

/**
 * The libraries measured beside Fanout in the same run and the same scenario: one publisher,
 * N subscribers, consumers drained by the same few threads.
 */
public enum Peer {
    /** The floor: one JCTools SPSC queue per subscriber, the publisher offers (yielding while full), the drain threads poll. */
    JCTOOLS_FLOOR,
    /** One Disruptor ring, one gating {@code EventPoller} per subscriber: lossless, gated by the slowest. */
    DISRUPTOR,
    /** {@code SubmissionPublisher.offer} with a drop handler: a full subscriber loses the new item. */
    SUBMISSION_PUBLISHER_OFFER,
    /** {@code SubmissionPublisher.submit}: blocks while any subscriber is full; lossless. */
    SUBMISSION_PUBLISHER_SUBMIT,
    /** Reactor {@code Sinks.many().multicast().onBackpressureBuffer}: lossless, paced by the slowest. */
    REACTOR_BUFFER,
    /** Reactor {@code Sinks.many().multicast().directBestEffort}: a subscriber without demand loses the item. */
    REACTOR_BEST_EFFORT;

    Target newTarget(int subscribers, int workers, org.openjdk.jmh.infra.Blackhole hole) {
        return switch (this) {
            case JCTOOLS_FLOOR -> new FloorTarget(subscribers, workers, hole);
            case DISRUPTOR -> new DisruptorTarget(subscribers, workers, hole);
            case SUBMISSION_PUBLISHER_OFFER -> new SubmissionTarget(subscribers, workers, hole, false);
            case SUBMISSION_PUBLISHER_SUBMIT -> new SubmissionTarget(subscribers, workers, hole, true);
            case REACTOR_BUFFER -> new ReactorTarget(subscribers, workers, hole, false);
            case REACTOR_BEST_EFFORT -> new ReactorTarget(subscribers, workers, hole, true);
        };
    }
}
