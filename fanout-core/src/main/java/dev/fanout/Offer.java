package dev.fanout;

/**
 * The message a publish offers to the queue engine's buffers: its sequence number, the message,
 * and a {@link Delivery} made at most once per publish, for the buffers that queue one (a FIFO
 * with one consumer queues the bare message: {@link SequencedQueue}). Publisher-owned and reused
 * from publish to publish (publishers are serialised).
 */
final class Offer<T> {
    long sequence;
    T message;
    private Delivery<T> delivery;
    /** The key of this publish's message under {@link #keyedBy}, made on first use (latestPerKey). */
    private LatestPerKeyBuffer.Key key;
    private java.util.function.Function<Object, ?> keyedBy;

    /** Publisher: the next publish; {@code shared} is the history's delivery of it, if the hub keeps one. */
    void set(long seq, T m, Delivery<T> shared) {
        sequence = seq;
        message = m;
        delivery = shared;
    }

    /** @return the message as a delivery, made on first use and shared by every buffer of this publish */
    Delivery<T> delivery() {
        Delivery<T> d = delivery;
        if (d == null) {
            d = delivery = new Delivery<>(sequence, message);
        }
        return d;
    }

    /**
     * @return the message's key under {@code keyFunction}: made once per publish and function,
     *         and shared by every latestPerKey buffer keyed by it (16 subscribers ran the key
     *         function 16 times per publish)
     */
    LatestPerKeyBuffer.Key key(java.util.function.Function<Object, ?> keyFunction) {
        LatestPerKeyBuffer.Key k = key;
        if (k == null || keyedBy != keyFunction) {
            k = key = LatestPerKeyBuffer.Key.of(keyFunction, delivery());
            keyedBy = keyFunction;
        }
        return k;
    }

    /** Publisher: forgets the message after the publish, so the hub keeps no reference to it. */
    void clear() {
        message = null;
        delivery = null;
        key = null;
        keyedBy = null;
    }
}
