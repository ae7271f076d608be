package dev.fanout.sse;

import dev.fanout.Hub;
import dev.fanout.Position;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Encodes each delivery once and hands the same bytes to every connection that writes it.
 *
 * <p>A message is identified by its hub and its sequence number: a small ring of slots is
 * indexed by the sequence number, offset per hub. Connections lag each other by a few messages at most (they drain in batches, and
 * latest-only keeps one), so a ring of {@value #SLOTS} recent frames serves them all; a
 * connection that asks for an evicted frame encodes it again, which is correct, only slower,
 * and shows in {@link #encoded()}.
 *
 * <p>Thread-safe: any number of connection threads call {@link #frame}. The encoding of one
 * slot happens under a striped lock, so concurrent readers of a new delivery wait for the one
 * thread that encodes it instead of encoding it each.
 */
final class FrameCache<T> {
    static final int SLOTS = 256;
    private static final int STRIPES = 16;

    /** An encoded event, shared by every connection that writes it. Immutable. */
    static final class Frame {
        final Object hub;
        final long sequence;
        /** The event's {@code id:}, or null when it has none. */
        final String id;
        final byte[] bytes;
        final long createdNanos;

        Frame(Object hub, long sequence, String id, byte[] bytes, long createdNanos) {
            this.hub = hub;
            this.sequence = sequence;
            this.id = id;
            this.bytes = bytes;
            this.createdNanos = createdNanos;
        }
    }

    private final Function<? super T, SseEvent> events;
    /** The id of a message, or null for the message's position ({@code epoch-sequence}). */
    private final Function<? super T, String> ids;
    private final AtomicReferenceArray<Frame> slots = new AtomicReferenceArray<>(SLOTS);
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private static final System.Logger LOG = System.getLogger(SseHandler.class.getName());
    private static final byte[] EMPTY = new byte[0];

    private final LongAdder encoded = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /**
     * @param events turns a message into its event
     * @param ids    gives a message's {@code id:} (null from it: no id line), or null to write
     *               the message's {@link Position}, {@code epoch-sequence}
     */
    FrameCache(Function<? super T, SseEvent> events, Function<? super T, String> ids) {
        this.events = events;
        this.ids = ids;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /**
     * @param hub      the hub that published the message
     * @param salt     the hub's identity hash, which spreads hubs over the ring
     * @param sequence the message's sequence number in that hub
     * @param message  the message
     * @return its frame
     * (an empty frame when the event mapper failed on it)
     */
    Frame frame(Hub<?> hub, int salt, long sequence, T message) {
        int i = index(sequence, salt);
        Frame f = slots.get(i);
        if (f != null && f.sequence == sequence && f.hub == hub) {
            return f;
        }
        ReentrantLock lock = locks[i & (STRIPES - 1)];
        lock.lock();
        try {
            f = slots.get(i);
            if (f != null && f.sequence == sequence && f.hub == hub) {
                return f;
            }
            try {
                SseEvent e = Objects.requireNonNull(events.apply(message), "the event mapper returned null");
                String id = ids == null ? Position.of(hub.epoch(), sequence).toString() : ids.apply(message);
                f = new Frame(hub, sequence, id, Frames.encode(id, e.eventOrNull(), e.data()), e.createdNanos());
            } catch (RuntimeException e) {
                // cached as an empty frame, so the mappers run once per message, the warning is
                // logged once, and every stream skips the message instead of ending
                LOG.log(System.Logger.Level.WARNING, "event or id mapper failed on message " + sequence
                        + "; no connection gets it: " + e);
                f = new Frame(hub, sequence, null, EMPTY, System.nanoTime());
                failed.increment();
            }
            encoded.increment();
            slots.set(i, f);
            return f;
        } finally {
            lock.unlock();
        }
    }

    private static int index(long sequence, int salt) {
        // consecutive sequence numbers of one hub take consecutive slots, so none evicts a recent one
        return (int) (sequence + salt * 0x9E3779B9L) & (SLOTS - 1);
    }

    /** @return how many times an event was encoded; equals the messages written once none was evicted early */
    long encoded() {
        return encoded.sum();
    }

    /** @return messages the event mapper failed on (skipped by every connection) */
    long failed() {
        return failed.sum();
    }
}
