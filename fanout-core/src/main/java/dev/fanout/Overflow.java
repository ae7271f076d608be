package dev.fanout;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * What happens when a subscriber's buffer is full: the per-subscription backpressure policy.
 *
 * <p>Instances are immutable values, made only by the static factories, and may be shared
 * between hubs and subscriptions; equal strategies are {@code equals}. Each has a kebab-case
 * {@link #name() name} and an {@link #alias() alias} that adds its parameters, such as
 * {@code "slow-producer:250ms"}; {@link #parse(String)} reads an alias back (for
 * {@code latest-per-key}, {@link #parse(String, Function)} with the key function), so
 * configuration can name any strategy.
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

    /** {@return the kebab-case name of this strategy, such as {@code "drop-oldest"}} */
    String name();

    /**
     * {@return the name with the parameters, such as {@code "slow-producer:250ms"} or
     * {@code "elastic-workers:1..8,backlog=4,idle=300ms,wait=1s"}; what
     * {@link #parse(String)} reads back into an equal strategy}
     */
    String alias();

    /** {@return true when this strategy never discards a message while the producer is willing to wait} */
    boolean lossless();

    /**
     * Lossless: when the buffer is full, {@code publish} parks until there is room, at most
     * {@code maxWait}, and reports a timeout in its result instead of losing silently.
     *
     * @param maxWait how long one {@code publish} may wait for this subscriber, at least zero
     * @return the strategy
     */
    static SlowProducer slowProducer(Duration maxWait) {
        return new SlowProducer(Checks.nonNegative("maxWait", maxWait));
    }

    /** {@return the strategy that discards the oldest queued message to make room} */
    static DropOldest dropOldest() {
        return DropOldest.INSTANCE;
    }

    /** {@return the strategy that does not queue a message that finds the buffer full} */
    static DropNewest dropNewest() {
        return DropNewest.INSTANCE;
    }

    /** {@return the conflating strategy: only the newest message is kept} */
    static LatestOnly latestOnly() {
        return LatestOnly.INSTANCE;
    }

    /**
     * Conflates per key: at most one pending message per key, the newest.
     *
     * @param keyFunction gives a message's key; keys are compared with {@code equals}; it runs on
     *                    the publishing thread, once per message for all the subscriptions given
     *                    this same function object; a message whose key function throws (anything)
     *                    or returns null, or whose key's {@code hashCode} or {@code equals}
     *                    throws, is kept under a key of its own, and the error goes to the
     *                    listener
     * @param <T>         the message type
     * @return the strategy
     */
    @SuppressWarnings("unchecked")
    static <T> LatestPerKey latestPerKey(Function<? super T, ?> keyFunction) {
        return new LatestPerKey((Function<Object, ?>) Objects.requireNonNull(keyFunction, "keyFunction"));
    }

    /** {@return the strategy that closes a subscriber with {@link CloseReason#SLOW} when it is full} */
    static Disconnect disconnect() {
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
     * Reads a strategy from its {@link #alias() alias}. The forms, case and surrounding blanks
     * ignored:
     * <ul>
     *   <li>{@code slow-producer} (waiting {@link #DEFAULT_MAX_WAIT}) or
     *       {@code slow-producer:DURATION};</li>
     *   <li>{@code drop-oldest}, {@code drop-newest}, {@code latest-only}, {@code disconnect};</li>
     *   <li>{@code elastic-workers:MIN..MAX[,backlog=N][,idle=DURATION][,wait=DURATION]} (defaults:
     *       backlog 0, idle 1s, wait 1s).</li>
     * </ul>
     * A DURATION is a whole number with {@code ms}, {@code s}, {@code m} or {@code h}, or an ISO-8601
     * duration such as {@code PT0.25S}. {@code latest-per-key} needs its key function:
     * {@link #parse(String, Function)}.
     *
     * @param alias the text
     * @return the strategy
     * @throws IllegalArgumentException naming the expected forms, for anything else
     */
    static Overflow parse(String alias) {
        return Aliases.overflow(alias, null);
    }

    /**
     * Like {@link #parse(String)}, also reading {@code latest-per-key} with {@code keyFunction}.
     *
     * @param alias       the text
     * @param keyFunction the key function of a {@code latest-per-key} strategy; ignored by the others
     * @param <T>         the message type
     * @return the strategy
     * @throws IllegalArgumentException naming the expected forms, for anything else
     */
    static <T> Overflow parse(String alias, Function<? super T, ?> keyFunction) {
        return Aliases.overflow(alias, Objects.requireNonNull(keyFunction, "keyFunction"));
    }

    /** {@link Overflow#slowProducer(Duration)}. */
    final class SlowProducer implements Overflow {
        private final Duration maxWait;

        private SlowProducer(Duration maxWait) {
            this.maxWait = maxWait;
        }

        /** {@return how long one publish may wait for room} */
        public Duration maxWait() {
            return maxWait;
        }

        @Override
        public String name() {
            return "slow-producer";
        }

        @Override
        public String alias() {
            return name() + ":" + Aliases.duration(maxWait);
        }

        @Override
        public boolean lossless() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SlowProducer s && s.maxWait.equals(maxWait);
        }

        @Override
        public int hashCode() {
            return maxWait.hashCode();
        }

        @Override
        public String toString() {
            return alias();
        }
    }

    /** {@link Overflow#dropOldest()}. */
    final class DropOldest implements Overflow {
        static final DropOldest INSTANCE = new DropOldest();

        private DropOldest() {
        }

        @Override
        public String name() {
            return "drop-oldest";
        }

        @Override
        public String alias() {
            return name();
        }

        @Override
        public boolean lossless() {
            return false;
        }

        @Override
        public String toString() {
            return alias();
        }
    }

    /** {@link Overflow#dropNewest()}. */
    final class DropNewest implements Overflow {
        static final DropNewest INSTANCE = new DropNewest();

        private DropNewest() {
        }

        @Override
        public String name() {
            return "drop-newest";
        }

        @Override
        public String alias() {
            return name();
        }

        @Override
        public boolean lossless() {
            return false;
        }

        @Override
        public String toString() {
            return alias();
        }
    }

    /** {@link Overflow#latestOnly()}. */
    final class LatestOnly implements Overflow {
        static final LatestOnly INSTANCE = new LatestOnly();

        private LatestOnly() {
        }

        @Override
        public String name() {
            return "latest-only";
        }

        @Override
        public String alias() {
            return name();
        }

        @Override
        public boolean lossless() {
            return false;
        }

        @Override
        public String toString() {
            return alias();
        }
    }

    /** {@link Overflow#latestPerKey(Function)}: equal when the key function is the same object. */
    final class LatestPerKey implements Overflow {
        private final Function<Object, ?> keyFunction;

        private LatestPerKey(Function<Object, ?> keyFunction) {
            this.keyFunction = keyFunction;
        }

        /** {@return the function that gives a message's key} */
        public Function<Object, ?> keyFunction() {
            return keyFunction;
        }

        @Override
        public String name() {
            return "latest-per-key";
        }

        /** {@return {@code "latest-per-key"}: the key function is given to {@link Overflow#parse(String, Function)} apart} */
        @Override
        public String alias() {
            return name();
        }

        @Override
        public boolean lossless() {
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LatestPerKey k && k.keyFunction == keyFunction;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(keyFunction);
        }

        @Override
        public String toString() {
            return alias();
        }
    }

    /** {@link Overflow#disconnect()}. */
    final class Disconnect implements Overflow {
        static final Disconnect INSTANCE = new Disconnect();

        private Disconnect() {
        }

        @Override
        public String name() {
            return "disconnect";
        }

        @Override
        public String alias() {
            return name();
        }

        @Override
        public boolean lossless() {
            return false;
        }

        @Override
        public String toString() {
            return alias();
        }
    }

    /** {@link Overflow#elasticWorkers(int, int, int, Duration)}. */
    final class ElasticWorkers implements Overflow {
        private final int min;
        private final int max;
        private final int scaleUpBacklog;
        private final Duration idleTimeout;
        private final Duration maxWait;

        private ElasticWorkers(int min, int max, int scaleUpBacklog, Duration idleTimeout, Duration maxWait) {
            this.min = Checks.atLeast("min", min, 0);
            this.max = Checks.atLeast("max", max, Math.max(1, min));
            this.scaleUpBacklog = Checks.atLeast("scaleUpBacklog", scaleUpBacklog, 0);
            this.idleTimeout = Checks.positive("idleTimeout", idleTimeout);
            this.maxWait = Checks.nonNegative("maxWait", maxWait);
        }

        /**
         * This strategy with another wait for the publisher.
         *
         * @param wait how long one publish may wait for room once {@code max} workers are busy
         * @return a copy with that wait
         */
        public ElasticWorkers withMaxWait(Duration wait) {
            return new ElasticWorkers(min, max, scaleUpBacklog, idleTimeout, wait);
        }

        /** {@return workers kept while idle} */
        public int min() {
            return min;
        }

        /** {@return workers at most} */
        public int max() {
            return max;
        }

        /** {@return the backlog above which a worker is added} */
        public int scaleUpBacklog() {
            return scaleUpBacklog;
        }

        /** {@return the idle time after which a worker above {@code min} retires} */
        public Duration idleTimeout() {
            return idleTimeout;
        }

        /** {@return how long one publish may wait for room once {@code max} workers are busy} */
        public Duration maxWait() {
            return maxWait;
        }

        @Override
        public String name() {
            return "elastic-workers";
        }

        @Override
        public String alias() {
            return name() + ":" + min + ".." + max + ",backlog=" + scaleUpBacklog + ",idle="
                    + Aliases.duration(idleTimeout) + ",wait=" + Aliases.duration(maxWait);
        }

        @Override
        public boolean lossless() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ElasticWorkers e && e.min == min && e.max == max && e.scaleUpBacklog == scaleUpBacklog
                    && e.idleTimeout.equals(idleTimeout) && e.maxWait.equals(maxWait);
        }

        @Override
        public int hashCode() {
            return Objects.hash(min, max, scaleUpBacklog, idleTimeout, maxWait);
        }

        @Override
        public String toString() {
            return alias();
        }
    }
}
