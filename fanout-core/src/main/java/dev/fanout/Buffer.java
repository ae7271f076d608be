package dev.fanout;

/**
 * A queue-engine subscription's bounded buffer. One producer at a time offers (the hub
 * serialises publishers); consumers poll and drain as the concrete class allows. The
 * subscription's {@link Strategy} decides what an offer that finds it {@link #FULL} means.
 */
abstract class Buffer<T> {
    /** The delivery was queued. */
    static final int ACCEPTED = 0;
    /** The delivery was queued after the oldest queued one was discarded. */
    static final int ACCEPTED_EVICTED = 1;
    /** The delivery was queued in place of an older one. */
    static final int ACCEPTED_SUPERSEDED = 2;
    /** The buffer is full; nothing changed. */
    static final int FULL = 3;
    /**
     * Added to the outcome by a {@link LatestPerKeyBuffer} whose key function failed for this
     * message (the message was queued as its own key): the publisher reports the error.
     */
    static final int KEY_ERROR = 4;

    /** Producer side. @return one of the outcome constants */
    abstract int offer(Offer<T> o);

    /**
     * Producer side: counts one message offered to this buffer's subscriber, once per message
     * however many times {@link #offer} is tried for it. In the subscriber's producer counters,
     * unless the buffer counts its own ({@link SequencedQueue}: on the line a publish writes
     * anyway).
     */
    void countOffer(Counts producer) {
        producer.addFlow(1);
    }

    /** Any thread: the offers this buffer counted itself (see {@link #countOffer}). */
    long selfCounted() {
        return 0;
    }

    /** Consumer side. @return the oldest delivery, or null */
    abstract Delivery<T> poll();

    /** Consumer side. @return how many deliveries went to {@code sink} */
    abstract int drain(Sink<T> sink, int limit);

    /** Any thread; approximate under concurrency. */
    abstract int size();

    /** Any thread; approximate under concurrency. */
    abstract boolean isEmpty();

    abstract int capacity();

    /** Consumer side: empties the buffer. @return how many deliveries were discarded */
    int discard() {
        int n = 0;
        while (poll() != null) {
            n++;
        }
        return n;
    }
}
