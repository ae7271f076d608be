package dev.fanout.leaderboard;

import dev.fanout.Position;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The shared store: scores in a Redis sorted set, through Lettuce.
 *
 * <h2>Keys</h2>
 * Under a prefix {@code P}: {@code P:scores} (the sorted set), {@code P:version} (games applied,
 * across every instance), {@code P:epoch} (the epoch of that count) and {@code P:game:<id>} (one
 * dedup key per game id). The snapshots every instance streams are kept apart, in the Redis
 * Stream {@code P:snapshots} ({@link ClusterSnapshots}).
 *
 * <h2>Epoch</h2>
 * The script that applies a game sets {@code P:epoch} to a random value when it is missing, and
 * so does {@link #startEpoch()}, which the change feed calls when it finds none; reads only
 * read it ({@link Epochs#NONE} when it is missing: no game since the data was created or
 * lost). It lives beside the version in Redis, so it is the same for every instance, and
 * whatever loses the version (a {@code FLUSHDB}, a new Redis without the data) loses it too:
 * the next write draws a new one, and the count that starts again from 0 is never taken for
 * the old one. Reads write nothing, so {@code GET /leaderboard} and the player stats could be
 * served from a read-only replica.
 *
 * <h2>Atomicity</h2>
 * One Lua script applies a game in one round trip: {@code SET NX} of its dedup key, then two
 * {@code ZINCRBY} and {@code INCR} of the version. Redis runs a script atomically, so a game is
 * applied entirely or not at all, and of two racing submissions of one id exactly one finds
 * the dedup key absent. A reply lost in a network failure is safe to retry: the retry reports
 * a duplicate. The top K is read by a script too, so it and the version come from the same
 * instant.
 *
 * <h2>Outages</h2>
 * Lettuce reconnects by itself; while disconnected, commands are rejected at once (not queued),
 * so the HTTP layer answers 503 quickly. A game sent while disconnected is known not to be
 * applied ({@link StoreUnavailableException}); a game whose script was sent but whose answer did
 * not come within the timeout, or was lost with the connection, may have been applied, or may
 * still be applied when a paused Redis resumes ({@link StoreOutcomeUnknownException}). After a
 * reconnect the change listener runs, so the feed reads the board again. Redis may also be down when the app starts: the
 * store starts all the same, answers every call with {@link StoreUnavailableException} and
 * retries the first connect in the background (backing off to every 2 s) until it succeeds.
 *
 * <h2>Threads</h2>
 * Safe from any thread: Lettuce connections are thread-safe and multiplex commands. The change
 * listener runs on the thread that applied a game, or on a Lettuce event-loop thread after a
 * connect.
 */
final class RedisStore implements LeaderboardStore {

    private static final System.Logger LOG = System.getLogger(RedisStore.class.getName());

    static final String APPLY = """
            if not redis.call('SET', KEYS[1], '1', 'NX') then
              return 0
            end
            redis.call('SET', KEYS[4], ARGV[5], 'NX')
            redis.call('ZINCRBY', KEYS[2], ARGV[3], ARGV[1])
            redis.call('ZINCRBY', KEYS[2], ARGV[4], ARGV[2])
            return redis.call('INCR', KEYS[3])
            """;
    /** Reads only: the version, the top entries and the epoch ({@code false} when missing). */
    static final String TOP = """
            local v = redis.call('GET', KEYS[2]) or '0'
            return {v, redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES'),
                    redis.call('GET', KEYS[3])}
            """;
    static final String EPOCH = """
            redis.call('SET', KEYS[1], ARGV[1], 'NX')
            return redis.call('GET', KEYS[1])
            """;
    static final String STANDING = """
            local r = redis.call('ZREVRANK', KEYS[1], ARGV[1])
            if not r then
              return {}
            end
            return {r, redis.call('ZSCORE', KEYS[1], ARGV[1])}
            """;

    private static final long RETRY_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long STILL_DOWN_LOG_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** What a successful first connect gives; Lettuce keeps the connection up from then on. */
    private record Connected(StatefulRedisConnection<String, String> connection,
                             RedisCommands<String, String> redis) {
        void close() {
            connection.close();
        }
    }

    private final RedisURI uri;
    private final String prefix;
    private final RedisClient client;
    private final String scoresKey;
    private final String versionKey;
    private final String epochKey;
    private final Duration timeout;
    private final String applySha;
    private final String topSha;
    private final String standingSha;
    private final String epochSha;
    private final Object connectLock = new Object();
    private volatile Connected connected; // null until the first connect succeeds
    private volatile Thread connector;    // retries the first connect while Redis is unreachable
    private volatile Runnable onChange = () -> { };
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisStore(RedisURI uri, String prefix, Duration timeout) {
        this.uri = uri;
        this.prefix = prefix;
        this.scoresKey = prefix + ":scores";
        this.versionKey = prefix + ":version";
        this.epochKey = prefix + ":epoch";
        this.timeout = timeout;
        this.applySha = sha1(APPLY);
        this.topSha = sha1(TOP);
        this.standingSha = sha1(STANDING);
        this.epochSha = sha1(EPOCH);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> c, SocketAddress address) {
                LOG.log(Level.INFO, "redis {0}: connected", address);
                onChange.run(); // the board may have changed while we were away
            }

            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> c) {
                if (closed.get()) {
                    return; // our own close
                }
                LOG.log(Level.WARNING, "redis {0}: disconnected; reconnecting", where());
            }
        });
    }

    /**
     * Connects, or, when Redis cannot be reached yet, keeps trying in the background: the store
     * starts either way. Until the first connect succeeds every call throws
     * {@link StoreUnavailableException}, so writes get 503; after it, Lettuce reconnects by
     * itself.
     *
     * @param uri     e.g. {@code redis://127.0.0.1:6379}
     * @param prefix  the key prefix, so several leaderboards (or test runs) share one Redis
     * @param timeout the command timeout
     * @return the store
     * @throws IllegalArgumentException for a malformed URI
     */
    static RedisStore connect(String uri, String prefix, Duration timeout) {
        RedisURI u = RedisURI.create(uri);
        u.setTimeout(timeout);
        RedisStore store = new RedisStore(u, prefix, timeout);
        try {
            store.tryConnect();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "redis {0}: unreachable at start ({1}); writes get 503 until it is, retrying"
                    + " in the background", store.where(), e.getMessage());
            store.connectInBackground();
        }
        return store;
    }

    /** One connect attempt. */
    private void tryConnect() {
        StatefulRedisConnection<String, String> connection = client.connect();
        Connected c = new Connected(connection, connection.sync());
        synchronized (connectLock) {
            if (closed.get()) {
                c.close();
                return;
            }
            connected = c;
        }
        onChange.run(); // the feed reads the first state now rather than at its next retry
    }

    private void connectInBackground() {
        Thread t = Thread.ofPlatform().daemon().name("leaderboard-redis-connect").unstarted(() -> {
            long pause = RETRY_MIN_NANOS;
            long lastLog = System.nanoTime();
            while (!closed.get() && connected == null) {
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException e) {
                    return;
                }
                if (closed.get()) {
                    return;
                }
                try {
                    tryConnect();
                } catch (RuntimeException e) {
                    pause = Math.min(pause * 2, RETRY_MAX_NANOS);
                    if (System.nanoTime() - lastLog > STILL_DOWN_LOG_NANOS) {
                        lastLog = System.nanoTime();
                        LOG.log(Level.WARNING, "redis {0}: still unreachable ({1}); retrying", where(),
                                e.getMessage());
                    }
                }
            }
        });
        connector = t;
        t.start();
    }

    private static String sha1(String script) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return host:port, for messages (never the URI: it may hold a password) */
    private String where() {
        return uri.getHost() + ":" + uri.getPort();
    }

    /** @return the commands, or throws while the first connect has not succeeded */
    private RedisCommands<String, String> redis() {
        Connected c = connected;
        if (c == null) {
            throw new StoreUnavailableException("redis " + where() + ": not connected yet", null);
        }
        return c.redis();
    }

    private <T> T script(String sha, String body, ScriptOutputType type, String[] keys, String... args) {
        try {
            RedisCommands<String, String> redis = redis();
            try {
                return redis.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                return redis.eval(body, type, keys, args); // loads it into the script cache too
            }
        } catch (RedisException e) {
            throw new StoreUnavailableException("redis " + where() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Applied apply(Game game) {
        Objects.requireNonNull(game, "game");
        Connected c = connected;
        if (c == null || !c.connection().isOpen()) {
            // rejected before sending: known not to be applied
            throw new StoreUnavailableException("redis " + where() + ": not connected", null);
        }
        Long v;
        try {
            v = script(applySha, APPLY, ScriptOutputType.INTEGER,
                    new String[] {prefix + ":game:" + game.gameId(), scoresKey, versionKey, epochKey},
                    game.player1(), game.player2(), half(game.result().halfPoints1()),
                    half(game.result().halfPoints2()), Epochs.random());
        } catch (StoreUnavailableException e) {
            // sent, or about to be, and no answer: a timeout, a connection lost on the way, a
            // disconnect between the check above and the send; only the last is known not to
            // apply, so all of them say "unknown"
            throw new StoreOutcomeUnknownException(e.getMessage(), e.getCause());
        }
        if (v == 0) {
            return Applied.DUPLICATE;
        }
        onChange.run();
        return Applied.APPLIED;
    }

    private static String half(int halfPoints) {
        return switch (halfPoints) {
            case 0 -> "0";
            case 1 -> "0.5";
            case 2 -> "1";
            default -> throw new IllegalArgumentException("halfPoints: " + halfPoints);
        };
    }

    @Override
    public Board top(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
        List<Object> reply = script(topSha, TOP, ScriptOutputType.MULTI,
                new String[] {scoresKey, versionKey, epochKey}, Integer.toString(limit));
        long version = Long.parseLong((String) reply.get(0));
        List<?> flat = (List<?>) reply.get(1);
        List<Standing> out = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.add(new Standing(i / 2 + 1, (String) flat.get(i), Double.parseDouble((String) flat.get(i + 1))));
        }
        return new Board(epochOf(reply.get(2)), version, out);
    }

    @Override
    public Optional<Standing> standing(String player) {
        List<Object> reply = script(standingSha, STANDING, ScriptOutputType.MULTI, new String[] {scoresKey}, player);
        if (reply == null || reply.isEmpty()) {
            return Optional.empty();
        }
        long rank = (Long) reply.get(0);
        return Optional.of(new Standing(rank + 1, player, Double.parseDouble((String) reply.get(1))));
    }

    @Override
    public long version() {
        try {
            String v = redis().get(versionKey);
            return v == null ? 0 : Long.parseLong(v);
        } catch (RedisException e) {
            throw new StoreUnavailableException("redis " + where() + ": " + e.getMessage(), e);
        }
    }

    /** @return the epoch of {@code P:version}, or {@link Epochs#NONE} when {@code P:epoch} is missing */
    @Override
    public String epoch() {
        try {
            return epochOf(redis().get(epochKey));
        } catch (RedisException e) {
            throw new StoreUnavailableException("redis " + where() + ": " + e.getMessage(), e);
        }
    }

    /** Sets {@code P:epoch} to a new random value if it is missing; the change feed's write, never a read's. */
    @Override
    public String startEpoch() {
        return epochOf(script(epochSha, EPOCH, ScriptOutputType.VALUE, new String[] {epochKey}, Epochs.random()));
    }

    /** @return the key that holds the epoch, which the snapshots' stream checks before appending */
    String epochKey() {
        return epochKey;
    }

    /** @return where Redis is, with the command timeout set */
    RedisURI uri() {
        return uri;
    }

    /** @return the command timeout */
    Duration timeout() {
        return timeout;
    }

    /** @return the key prefix */
    String prefix() {
        return prefix;
    }

    /** An epoch key written by hand may hold anything: one that is not an epoch is refused loudly. */
    private String epochOf(Object value) {
        if (value == null) {
            return Epochs.NONE;
        }
        String e = (String) value;
        try {
            return Position.of(e, 0).epoch();
        } catch (IllegalArgumentException | NullPointerException bad) {
            throw new StoreUnavailableException("redis " + where() + ": " + epochKey + " holds \"" + e
                    + "\" (expected: 1 to 32 of [0-9A-Za-z_]; delete it and a new epoch is drawn)", bad);
        }
    }

    @Override
    public void onChange(Runnable onChange) {
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    @Override
    public String describe() {
        return "redis " + where() + " (prefix " + prefix + ")"
                + (connected == null ? ", not reachable yet: retrying" : "");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread t = connector;
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Connected c;
            synchronized (connectLock) {
                c = connected;
            }
            if (c != null) {
                c.close();
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
