package dev.fanout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one place that interprets an {@link Overflow}: for each strategy, the buffer it needs on
 * the queue engine, what a full buffer means, how its cursor reads on the ring engine (or that
 * the ring refuses it), and what a replay keeps. Everything else asks this table.
 */
enum Strategy {
    SLOW_PRODUCER(OnFull.WAIT, RingMode.GATED),
    DROP_OLDEST(OnFull.NEVER, RingMode.OLDEST),
    DROP_NEWEST(OnFull.DROP, null),
    LATEST_ONLY(OnFull.NEVER, RingMode.LATEST),
    LATEST_PER_KEY(OnFull.NEVER, null),
    DISCONNECT(OnFull.DISCONNECT, RingMode.DISCONNECT),
    ELASTIC_WORKERS(OnFull.WAIT, null);

    /** What the producer does when a queue-engine buffer refuses a message. */
    enum OnFull {
        /** Park until there is room, at most the strategy's wait (lossless). */
        WAIT,
        /** Count the message {@link DropCause#NEWEST}. */
        DROP,
        /** Close the subscription {@link CloseReason#SLOW}; the message counts {@link DropCause#DISCONNECTED}. */
        DISCONNECT,
        /** The buffer makes room itself (evicts or replaces): never full. */
        NEVER
    }

    /** How a subscriber's cursor on the ring treats a backlog beyond its capacity. */
    enum RingMode {
        /**
         * Lossless: the producer may not claim past the cursor's capacity, but for a publish
         * that stopped waiting for it; what that made it hold beyond its capacity it skips when
         * it reads, oldest first, counting {@link DropCause#TIMEOUT}.
         */
        GATED(DropCause.TIMEOUT),
        /** Skips to the newest {@code capacity} messages, counting {@link DropCause#OLDEST}. */
        OLDEST(DropCause.OLDEST),
        /** Skips to the newest message, counting {@link DropCause#SUPERSEDED}. */
        LATEST(DropCause.SUPERSEDED),
        /** Ends the subscription {@link CloseReason#SLOW}. */
        DISCONNECT(null);

        /** The cause a skip counts under, for the modes that skip. */
        final DropCause skipCause;

        RingMode(DropCause skipCause) {
            this.skipCause = skipCause;
        }
    }

    final OnFull onFull;
    /** Null when the ring engine refuses the strategy (it needs a buffer per subscriber). */
    final RingMode ringMode;

    Strategy(OnFull onFull, RingMode ringMode) {
        this.onFull = onFull;
        this.ringMode = ringMode;
    }

    static Strategy of(Overflow overflow) {
        return switch (overflow) {
            case Overflow.SlowProducer o -> SLOW_PRODUCER;
            case Overflow.DropOldest o -> DROP_OLDEST;
            case Overflow.DropNewest o -> DROP_NEWEST;
            case Overflow.LatestOnly o -> LATEST_ONLY;
            case Overflow.LatestPerKey o -> LATEST_PER_KEY;
            case Overflow.Disconnect o -> DISCONNECT;
            case Overflow.ElasticWorkers o -> ELASTIC_WORKERS;
        };
    }

    /** @return true when the ring engine can honour {@code overflow} */
    static boolean ringSupports(Overflow overflow) {
        return of(overflow).ringMode != null;
    }

    /** @return the strategies the ring engine honours, by alias, for messages */
    static String ringAliases() {
        return "slow-producer, drop-oldest, latest-only or disconnect";
    }

    boolean lossless() {
        return onFull == OnFull.WAIT;
    }

    /** @return true for the strategies that need a handler (workers run it) */
    boolean pushOnly() {
        return this == ELASTIC_WORKERS;
    }

    /** @return the capacity a subscription really has, given the power of two asked for */
    int capacity(int asked) {
        return this == LATEST_ONLY ? 1 : asked;
    }

    /** @return how long a publish may wait for room, in nanoseconds; 0 for the lossy strategies */
    static long maxWaitNanos(Overflow overflow) {
        return switch (overflow) {
            case Overflow.SlowProducer o -> Checks.nanos(o.maxWait());
            case Overflow.ElasticWorkers o -> Checks.nanos(o.maxWait());
            default -> 0;
        };
    }

    /**
     * The queue engine's buffer for this strategy.
     *
     * @param manyConsumers true when several workers take from it
     */
    <T> Buffer<T> newBuffer(Overflow overflow, int capacity, boolean manyConsumers) {
        return switch (this) {
            case DROP_OLDEST -> new DropOldestBuffer<>(capacity);
            case LATEST_ONLY -> new LatestBuffer<>();
            case LATEST_PER_KEY -> new LatestPerKeyBuffer<>(((Overflow.LatestPerKey) overflow).keyFunction(), capacity);
            case SLOW_PRODUCER, DROP_NEWEST, DISCONNECT, ELASTIC_WORKERS -> manyConsumers
                    ? new QueueBuffer<>(capacity) : new SequencedQueue<>(capacity);
        };
    }

    /**
     * A replay keeps what this strategy would keep of the same messages: the newest, or the
     * newest per key.
     *
     * @param keyErrors receives what a {@code latestPerKey} key function (or a key's
     *                  {@code hashCode} or {@code equals}) throws, with the message it threw on
     */
    <T> List<Delivery<T>> conflate(List<Delivery<T>> replay, Overflow overflow,
                                   BiConsumer<Delivery<T>, Throwable> keyErrors) {
        if (replay.size() <= 1) {
            return replay;
        }
        return switch (this) {
            case LATEST_ONLY -> List.of(replay.get(replay.size() - 1));
            case LATEST_PER_KEY -> {
                Function<Object, ?> keyFunction = ((Overflow.LatestPerKey) overflow).keyFunction();
                LinkedHashMap<LatestPerKeyBuffer.Key, Delivery<T>> byKey = new LinkedHashMap<>();
                for (Delivery<T> d : replay) {
                    LatestPerKeyBuffer.Key key = LatestPerKeyBuffer.Key.of(keyFunction, d);
                    byKey.remove(key);
                    byKey.put(key, d);
                    if (key.error() != null) {
                        keyErrors.accept(d, key.error());
                    }
                }
                yield List.copyOf(byKey.values());
            }
            default -> replay;
        };
    }
}
