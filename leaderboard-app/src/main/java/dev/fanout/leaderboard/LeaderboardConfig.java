package dev.fanout.leaderboard;

import dev.fanout.Overflow;
import io.helidon.config.Config;
import io.helidon.config.ConfigMappingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code leaderboard} section of the configuration (see {@code application.yaml}), read
 * once at start. {@link Options} lets every key be set by a flag, an environment variable or a
 * configuration file, e.g. {@code --leaderboard.topk=20}, {@code LEADERBOARD_TOPK=20}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param store        {@code memory}, or a Redis URI such as {@code redis://127.0.0.1:6379}
 * @param journal      the embedded store's journal file
 * @param journalRepair whether a damaged journal (damage other than a torn last record) is
 *                     repaired at start: the damaged file kept aside, every record that still
 *                     verifies kept, what was dropped logged; false (the default) refuses to start
 * @param prefix       the Redis key prefix
 * @param topK         entries in a streamed snapshot, and the default {@code limit}
 * @param rate         snapshots per second at most
 * @param strategy     the overflow strategy of stream subscribers
 * @param token        the Bearer token game servers must send, or empty for none
 * @param maxBodyBytes the largest accepted {@code POST /submit-game} body
 * @param maxIdLength  the longest accepted id, in UTF-16 characters
 * @param maxLimit     the largest accepted {@code limit}
 * @param maxStreams   streams open at once, more get 503 with {@code Retry-After}; 0 for the
 *                     default: the listener's {@code max-tcp-connections} minus the reserve
 * @param reserve      connections of the listener that streams and connections waiting for a
 *                     request cannot take ({@code limits.reserve}); 0 for the default: 1% of
 *                     {@code max-tcp-connections}, at least {@link #STREAM_HEADROOM}
 * @param headerTimeout a request head must arrive within this of the connection, or of its
 *                     first byte ({@code timeouts.header})
 * @param bodyTimeout  a request body must arrive within this of its head ({@code timeouts.body})
 * @param idleTimeout  a kept-alive connection with no next request is closed after this
 *                     ({@code timeouts.idle})
 * @param heartbeat    how long an idle stream waits before a heartbeat comment
 * @param stallTimeout how long a stream's write may make no progress before the stream is evicted
 * @param redisTimeout the Redis command timeout
 * @param resync       how often the change feed compares a shared store's version
 */
public record LeaderboardConfig(String store, Path journal, boolean journalRepair, String prefix, int topK, double rate, Overflow strategy,
                                Optional<String> token, int maxBodyBytes, int maxIdLength, int maxLimit,
                                int maxStreams, int reserve, Duration headerTimeout, Duration bodyTimeout,
                                Duration idleTimeout, Duration heartbeat, Duration stallTimeout, Duration redisTimeout,
                                Duration resync) {

    /**
     * The least reserve: connections the listener keeps for other requests (submissions, reads,
     * metrics) and for 503 answers when the streams are full, which neither streams nor
     * connections waiting for a request can take.
     */
    public static final int STREAM_HEADROOM = 64;

    /** Validates, with messages of the form {@code topk: 0 (expected: >= 1)}. */
    public LeaderboardConfig {
        check("topk", topK, 1);
        check("limits.body", maxBodyBytes, 64);
        check("limits.id", maxIdLength, 1);
        check("limits.limit", maxLimit, topK);
        check("limits.streams", maxStreams, 0);
        check("limits.reserve", reserve, 0);
        positive("timeouts.header", headerTimeout);
        positive("timeouts.body", bodyTimeout);
        positive("timeouts.idle", idleTimeout);
        positive("heartbeat", heartbeat);
        positive("stall-timeout", stallTimeout);
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        if (!store.equals("memory") && !store.startsWith("redis://") && !store.startsWith("rediss://")) {
            throw new IllegalArgumentException("store: " + store + " (expected: memory or redis://host:port)");
        }
        token = token.filter(t -> !t.isBlank());
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /**
     * @param maxTcpConnections the listener's limit
     * @return the reserve: {@code limits.reserve}, or 1% of the listener's limit, at least
     *         {@link #STREAM_HEADROOM}; always below the listener's limit
     * @throws IllegalArgumentException when {@code limits.reserve} is not below the listener's limit
     */
    public int reserve(int maxTcpConnections) {
        if (reserve == 0) {
            return Math.max(1, Math.min(maxTcpConnections - 1, Math.max(STREAM_HEADROOM, maxTcpConnections / 100)));
        }
        if (reserve >= maxTcpConnections) {
            throw new IllegalArgumentException("limits.reserve: " + reserve + " (expected: < server.max-tcp-connections "
                    + maxTcpConnections + ")");
        }
        return reserve;
    }

    /**
     * @param maxTcpConnections the listener's limit
     * @return the stream limit: {@code limits.streams}, or the listener's limit minus the
     *         {@link #reserve} (at least 1)
     * @throws IllegalArgumentException when {@code limits.streams} is not below the listener's
     *                                  limit, so a full stream endpoint could not answer 503
     */
    public int streamLimit(int maxTcpConnections) {
        if (maxStreams == 0) {
            return Math.max(1, maxTcpConnections - reserve(maxTcpConnections));
        }
        if (maxStreams >= maxTcpConnections) {
            throw new IllegalArgumentException("limits.streams: " + maxStreams + " (expected: < server.max-tcp-connections "
                    + maxTcpConnections + ", so clients over the limit still get a 503)");
        }
        return maxStreams;
    }

    private static void check(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
        }
    }

    /**
     * @param c the {@code leaderboard} node
     * @return the configuration, defaults filled in
     * @throws IllegalArgumentException for a value that does not parse or is out of range, with a
     *                                  message of the form {@code key: value (expected: ...)}
     */
    public static LeaderboardConfig from(Config c) {
        return new LeaderboardConfig(
                c.get("store").asString().orElse("memory").strip(),
                Path.of(c.get("journal").asString().orElse("data/leaderboard.journal")),
                read(c, "journal-repair", Boolean.class, false, "true or false"),
                c.get("prefix").asString().orElse("leaderboard"),
                read(c, "topk", Integer.class, 10, "an integer"),
                read(c, "rate", Double.class, 10.0, "a number"),
                Overflow.parse(c.get("strategy").asString().orElse("latest-only")),
                c.get("token").asString().asOptional(),
                read(c, "limits.body", Integer.class, 4096, "an integer"),
                read(c, "limits.id", Integer.class, 64, "an integer"),
                read(c, "limits.limit", Integer.class, 1000, "an integer"),
                read(c, "limits.streams", Integer.class, 0, "an integer"),
                read(c, "limits.reserve", Integer.class, 0, "an integer"),
                read(c, "timeouts.header", Duration.class, Duration.ofSeconds(10), DURATION),
                read(c, "timeouts.body", Duration.class, Duration.ofSeconds(10), DURATION),
                read(c, "timeouts.idle", Duration.class, Duration.ofSeconds(30), DURATION),
                read(c, "heartbeat", Duration.class, Duration.ofSeconds(15), DURATION),
                read(c, "stall-timeout", Duration.class, Duration.ofSeconds(10), DURATION),
                read(c, "redis-timeout", Duration.class, Duration.ofSeconds(2), DURATION),
                read(c, "resync", Duration.class, Duration.ofSeconds(1), DURATION));
    }

    private static final String DURATION = "an ISO-8601 duration such as PT2S or PT0.5S";

    /** Reads a typed value; one that does not parse fails as {@code key: value (expected: ...)}. */
    private static <T> T read(Config c, String key, Class<T> type, T otherwise, String expected) {
        Config node = c.get(key);
        try {
            return node.as(type).orElse(otherwise);
        } catch (ConfigMappingException e) {
            throw new IllegalArgumentException(key + ": " + node.asString().orElse("") + " (expected: " + expected + ")", e);
        }
    }

    /** @return true for the embedded store */
    public boolean embedded() {
        return store.equals("memory");
    }
}
