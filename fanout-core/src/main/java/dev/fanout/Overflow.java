package dev.fanout;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * What happens when a subscriber's buffer is full: the per-subscription backpressure policy.
 *
 * <p>Instances are immutable values, made by the static factories, and may be shared between
 * hubs and subscriptions. Each strategy has a kebab-case {@link #alias() alias}; the ones
 * without parameters (and {@code slow-producer}, with a default wait) can be read back from
 * configuration with {@link #parse(String)}.
 *
 * <table class="striped">
 *   <caption>Strategies at the boundary</caption>
 *   <tr><th>strategy</th><th>when the buffer is full</th><th>lossless</th></tr>
 *   <tr><td>{@link #slowProducer(Duration)}</td><td>{@code publish} parks until there is room,
 *       at most {@code maxWait}; then the subscriber loses one message, counted
 *       {@link DropCause#TIMEOUT}: the new one on the queue engine, the oldest it holds on the
 *       ring engine (the new one is in the ring's shared slot)</td><td>yes, up to the wait</td></tr>
 *   <tr><td>{@link #dropOldest()}</td><td>the oldest queued message is discarded
 *       ({@link DropCause#OLDEST}) and the new one queued</td><td>no</td></tr>
 *   <tr><td>{@link #dropNewest()}</td><td>the new message is not queued
 *       ({@link DropCause#NEWEST})</td><td>no</td></tr>
 *   <tr><td>{@link #latestOnly()}</td><td>the buffer holds one message; a new one replaces it
 *       ({@link DropCause#SUPERSEDED}); capacity is ignored</td><td>no</td></tr>
 *   <tr><td>{@link #latestPerKey(Function)}</td><td>at most one message per key is held; a new
 *       message replaces its key's pending one ({@link DropCause#SUPERSEDED}) and goes to the
 *       back, so delivery stays in sequence order; a new key when {@code capacity} keys are
 *       pending evicts the oldest ({@link DropCause#OLDEST})</td><td>no</td></tr>
 *   <tr><td>{@link #disconnect()}</td><td>the subscription is closed with
 *       {@link CloseReason#SLOW}; the message and what was queued count as
 *       {@link DropCause#DISCONNECTED} (on the ring engine, found when the subscriber reads, at
 *       the publisher's once-per-lap sweep or at the hub's close, as of the message that
 *       overflowed it)</td><td>no</td></tr>
 *   <tr><td>{@link #elasticWorkers(int, int, int, Duration)}</td><td>push only: workers are
 *       added while the backlog exceeds a threshold, up to {@code max}; with {@code max}
 *       workers and a full buffer, {@code publish} parks as under {@code slowProducer}</td>
 *       <td>yes, up to the wait</td></tr>
 * </table>
 */
public sealed interface Overflow
        permits Overflow.SlowProducer, Overflow.DropOldest, Overflow.DropNewest, Overflow.LatestOnly,
        Overflow.LatestPerKey, Overflow.Disconnect, Overflow.ElasticWorkers {

    /** The wait of {@code slow-producer} and {@code elastic-workers} when none is given: one second. */
    Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(1);

    /** @return the kebab-case name of this strategy, such as {@code "drop-oldest"} */
    String alias();

    /** @return true when this strategy never discards a message while the producer is willing to wait */
    boolean lossless();

    /**
     * Lossless: when the buffer is full, {@code publish} parks until there is room, at most
     * {@code maxWait}, and reports a timeout in its result instead of losing silently.
     *
     * @param maxWait how long one {@code publish} may wait for this subscriber, at least zero
     * @return the strategy
     */
    static Overflow slowProducer(Duration maxWait) {
        return new SlowProducer(maxWait);
    }

    /** @return the strategy that discards the oldest queued message to make room */
    static Overflow dropOldest() {
        return DropOldest.INSTANCE;
    }

    /** @return the strategy that does not queue a message that finds the buffer full */
    static Overflow dropNewest() {
        return DropNewest.INSTANCE;
    }

    /** @return the conflating strategy: only the newest message is kept */
    static Overflow latestOnly() {
        return LatestOnly.INSTANCE;
    }

    /**
     * Conflates per key: at most one pending message per key, the newest.
     *
     * @param keyFunction gives a message's key; keys are compared with {@code equals}; it runs on
     *                    the publishing thread; a message whose key function throws (anything)
     *                    or returns null, or whose key's {@code hashCode} or {@code equals}
     *                    throws, is kept under a key of its own, and the error goes to the
     *                    listener
     * @param <T>         the message type
     * @return the strategy
     */
    @SuppressWarnings("unchecked")
    static <T> Overflow latestPerKey(Function<? super T, ?> keyFunction) {
        return new LatestPerKey((Function<Object, ?>) Objects.requireNonNull(keyFunction, "keyFunction"));
    }

    /** @return the strategy that closes a subscriber with {@link CloseReason#SLOW} when it is full */
    static Overflow disconnect() {
        return Disconnect.INSTANCE;
    }

    /**
     * Several workers run one push subscription's handler in parallel; their number follows the
     * backlog. Waits for room at most {@link #DEFAULT_MAX_WAIT}; {@link ElasticWorkers#withMaxWait}
     * changes that.
     *
     * @param min            workers kept while idle, at least 0
     * @param max            workers at most, at least {@code max(min, 1)}
     * @param scaleUpBacklog a worker is added while more than this many messages wait, at least 0
     * @param idleTimeout    a worker above {@code min} retires after this long without work, more than zero
     * @return the strategy
     */
    static ElasticWorkers elasticWorkers(int min, int max, int scaleUpBacklog, Duration idleTimeout) {
        return new ElasticWorkers(min, max, scaleUpBacklog, idleTimeout, DEFAULT_MAX_WAIT);
    }

    /**
     * Reads a strategy from its alias: {@code slow-producer} (waiting {@link #DEFAULT_MAX_WAIT}),
     * {@code drop-oldest}, {@code drop-newest}, {@code latest-only}, {@code disconnect}.
     * Case and surrounding blanks are ignored.
     *
     * @param alias the name
     * @return the strategy
     * @throws IllegalArgumentException for an unknown alias, or for one that needs parameters
     */
    static Overflow parse(String alias) {
        Objects.requireNonNull(alias, "alias");
        String a = alias.strip().toLowerCase(Locale.ROOT);
        return switch (a) {
            case "slow-producer" -> slowProducer(DEFAULT_MAX_WAIT);
            case "drop-oldest" -> dropOldest();
            case "drop-newest" -> dropNewest();
            case "latest-only" -> latestOnly();
            case "disconnect" -> disconnect();
            case "latest-per-key", "elastic-workers" -> throw new IllegalArgumentException(
                    "overflow: " + alias + " (needs parameters: use Overflow." + (a.equals("latest-per-key")
                            ? "latestPerKey(keyFunction)" : "elasticWorkers(min, max, backlog, idle)") + ")");
            default -> throw new IllegalArgumentException("overflow: " + alias
                    + " (expected: slow-producer, drop-oldest, drop-newest, latest-only, disconnect)");
        };
    }

    /**
     * {@link Overflow#slowProducer(Duration)}.
     *
     * @param maxWait how long one publish may wait for room
     */
    record SlowProducer(Duration maxWait) implements Overflow {
        /** Validates. */
        public SlowProducer {
            Checks.nonNegative("maxWait", maxWait);
        }

        @Override
        public String alias() {
            return "slow-producer";
        }

        @Override
        public boolean lossless() {
            return true;
        }
    }

    /** {@link Overflow#dropOldest()}. */
    record DropOldest() implements Overflow {
        static final DropOldest INSTANCE = new DropOldest();

        @Override
        public String alias() {
            return "drop-oldest";
        }

        @Override
        public boolean lossless() {
            return false;
        }
    }

    /** {@link Overflow#dropNewest()}. */
    record DropNewest() implements Overflow {
        static final DropNewest INSTANCE = new DropNewest();

        @Override
        public String alias() {
            return "drop-newest";
        }

        @Override
        public boolean lossless() {
            return false;
        }
    }

    /** {@link Overflow#latestOnly()}. */
    record LatestOnly() implements Overflow {
        static final LatestOnly INSTANCE = new LatestOnly();

        @Override
        public String alias() {
            return "latest-only";
        }

        @Override
        public boolean lossless() {
            return false;
        }
    }

    /**
     * {@link Overflow#latestPerKey(Function)}.
     *
     * @param keyFunction gives a message's key
     */
    record LatestPerKey(Function<Object, ?> keyFunction) implements Overflow {
        /** Validates. */
        public LatestPerKey {
            Objects.requireNonNull(keyFunction, "keyFunction");
        }

        @Override
        public String alias() {
            return "latest-per-key";
        }

        @Override
        public boolean lossless() {
            return false;
        }
    }

    /** {@link Overflow#disconnect()}. */
    record Disconnect() implements Overflow {
        static final Disconnect INSTANCE = new Disconnect();

        @Override
        public String alias() {
            return "disconnect";
        }

        @Override
        public boolean lossless() {
            return false;
        }
    }

    /**
     * {@link Overflow#elasticWorkers(int, int, int, Duration)}.
     *
     * @param min            workers kept while idle
     * @param max            workers at most
     * @param scaleUpBacklog backlog above which a worker is added
     * @param idleTimeout    idle time after which a worker above {@code min} retires
     * @param maxWait        how long one publish may wait for room once {@code max} workers are busy
     */
    record ElasticWorkers(int min, int max, int scaleUpBacklog, Duration idleTimeout, Duration maxWait)
            implements Overflow {
        /** Validates. */
        public ElasticWorkers {
            Checks.atLeast("min", min, 0);
            Checks.atLeast("max", max, Math.max(1, min));
            Checks.atLeast("scaleUpBacklog", scaleUpBacklog, 0);
            Checks.positive("idleTimeout", idleTimeout);
            Checks.nonNegative("maxWait", maxWait);
        }

        /**
         * @param wait how long one publish may wait for room once {@code max} workers are busy
         * @return a copy with that wait
         */
        public ElasticWorkers withMaxWait(Duration wait) {
            return new ElasticWorkers(min, max, scaleUpBacklog, idleTimeout, wait);
        }

        @Override
        public String alias() {
            return "elastic-workers";
        }

        @Override
        public boolean lossless() {
            return true;
        }
    }
}
