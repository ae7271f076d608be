package dev.fanout;

import java.time.Duration;

/**
 * Every {@link Overflow} strategy, built one way for the contract tests and the benchmarks
 * (the JMH {@code @Param}), as Caffeine's {@code BufferType} does for its buffers.
 *
 * <p>Messages are {@link Number}s. {@link #LATEST_PER_KEY} keys a message by its last decimal
 * digit, so 11, 21 and 31 share key 1 while 1, 2 and 3 have keys of their own.
 * {@link #ELASTIC_WORKERS} runs one to four workers, adding one while more than two messages
 * wait, and is push-only.
 *
 * <p>Public, and shipped in fanout-core's test-jar, only so that the jmh module's {@code @Param}s
 * can name it; it is not part of the library's API.
 */
public enum StrategyType {
    SLOW_PRODUCER,
    DROP_OLDEST,
    DROP_NEWEST,
    LATEST_ONLY,
    LATEST_PER_KEY,
    DISCONNECT,
    ELASTIC_WORKERS;

    /** The key of {@link #LATEST_PER_KEY}: a number's last decimal digit. */
    public static Object key(Object message) {
        return Math.floorMod(((Number) message).longValue(), 10L);
    }

    /**
     * @param maxWait how long a publish may wait for room under the lossless strategies
     *                ({@code SLOW_PRODUCER}, {@code ELASTIC_WORKERS}); ignored by the others
     * @return the strategy
     */
    public Overflow overflow(Duration maxWait) {
        return switch (this) {
            case SLOW_PRODUCER -> Overflow.slowProducer(maxWait);
            case DROP_OLDEST -> Overflow.dropOldest();
            case DROP_NEWEST -> Overflow.dropNewest();
            case LATEST_ONLY -> Overflow.latestOnly();
            case LATEST_PER_KEY -> Overflow.latestPerKey(StrategyType::key);
            case DISCONNECT -> Overflow.disconnect();
            case ELASTIC_WORKERS -> Overflow.elasticWorkers(1, 4, 2, Duration.ofSeconds(1))
                    .withMaxWait(maxWait);
        };
    }

    /** @return true when the strategy needs a handler (a push subscription) */
    public boolean pushOnly() {
        return this == ELASTIC_WORKERS;
    }
}
