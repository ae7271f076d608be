package dev.fanout.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis side of one instance of a {@link RedisStreamHub}: the stream {@code key}, whose
 * entry ids are {@code <sequence>-0} and whose fields are {@code e} (the epoch) and {@code m}
 * (the encoded message), and the hash {@code key:meta} with the fields {@code epoch} and
 * {@code seq} (the last sequence number given).
 *
 * <p>Two connections: one shared by publishing and subscribing threads (Lettuce connections
 * are thread-safe and multiplex), and one used only by the reader thread, whose blocking
 * {@code XREAD} would otherwise hold up the others. While disconnected, commands are refused
 * at once rather than queued. A command in flight when the connection drops is sent again once
 * it is back, if its caller still waits for it (Lettuce's at-least-once): for a read that is
 * harmless, and a publish carries a once-key ({@code key:once:<id>}, kept a few timeouts) so
 * that a second run returns the first one's number instead of appending the message twice.
 */
final class StreamStore implements AutoCloseable {

    /**
     * The functions every script shares. {@code head}: the stream's current epoch and last
     * sequence number, starting a new epoch when its history is gone: no epoch yet, or numbers
     * given but no stream (deleted, or a Redis that came back empty); a new epoch deletes what is
     * left of the stream and numbers from 1 again. {@code replayed} and {@code append}: the two
     * publish scripts' once-key check and append.
     */
    private static final String HEAD = """
            local function head(candidate)
              local epoch = redis.call('HGET', KEYS[2], 'epoch')
              local seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
              if (not epoch) or (seq > 0 and redis.call('EXISTS', KEYS[1]) == 0) then
                epoch = candidate
                seq = 0
                redis.call('DEL', KEYS[1], KEYS[2])
                redis.call('HSET', KEYS[2], 'epoch', epoch, 'seq', 0)
              end
              return epoch, seq
            end
            -- a publish run again with its once-key (KEYS[3]): the first run's {epoch, seq}, else nil
            local function replayed()
              local done = redis.call('GET', KEYS[3])
              if done then
                local at = string.find(done, ':', 1, true)
                return {string.sub(done, 1, at - 1), tonumber(string.sub(done, at + 1))}
              end
              return nil
            end
            -- appends the next entry (ARGV[2] max length, ARGV[3] text) and records it under the once-key
            -- (ARGV[4] its lifetime); the caller stores seq in KEYS[2]
            local function append(epoch, seq)
              redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], string.format('%d-0', seq), 'e', epoch, 'm', ARGV[3])
              redis.call('SET', KEYS[3], epoch .. ':' .. string.format('%d', seq), 'PX', ARGV[4])
            end
            """;

    /**
     * KEYS[3]: this publish's once-key. ARGV: candidate epoch, max length, text, the once-key's
     * lifetime in milliseconds. Appends under the next number and returns {epoch, seq}; run again
     * with the same once-key (a command the client sent again after a reconnect, when the first
     * run's answer was lost), returns the first run's {epoch, seq} and appends nothing.
     */
    private static final String PUBLISH = HEAD + """
            local again = replayed()
            if again then
              return again
            end
            local epoch, seq = head(ARGV[1])
            seq = seq + 1
            append(epoch, seq)
            redis.call('HSET', KEYS[2], 'seq', seq)
            return {epoch, seq}
            """;

    /**
     * KEYS[3]: this publish's once-key, KEYS[4]: the guard key. ARGV: candidate epoch, max
     * length, text, the once-key's lifetime in milliseconds, the guard value, the version.
     * Appends as {@link #PUBLISH} does, only when the guard key holds the guard value and the
     * version is above the last one appended this way ({@code key:meta} fields {@code guard} and
     * {@code version}); a guard value other than the last one starts a new epoch first (the
     * source's versions were numbered afresh). Returns {epoch, seq}, seq 0 when nothing was
     * appended.
     */
    private static final String PUBLISH_NEWER = HEAD + """
            local again = replayed()
            if again then
              return again
            end
            local epoch, seq = head(ARGV[1])
            if redis.call('GET', KEYS[4]) ~= ARGV[5] then
              return {epoch, 0}
            end
            local guard = redis.call('HGET', KEYS[2], 'guard')
            if guard and guard ~= ARGV[5] then
              epoch = ARGV[1]
              seq = 0
              redis.call('DEL', KEYS[1], KEYS[2])
              redis.call('HSET', KEYS[2], 'epoch', epoch, 'seq', 0)
            elseif guard and tonumber(redis.call('HGET', KEYS[2], 'version')) >= tonumber(ARGV[6]) then
              return {epoch, 0}
            end
            seq = seq + 1
            append(epoch, seq)
            redis.call('HSET', KEYS[2], 'seq', seq, 'guard', ARGV[5], 'version', ARGV[6])
            return {epoch, seq}
            """;

    /** ARGV: candidate epoch. Returns {epoch, seq}. */
    private static final String SYNC = HEAD + """
            local epoch, seq = head(ARGV[1])
            return {epoch, seq}
            """;

    /**
     * ARGV: candidate epoch, the epoch to retire. When the stream still has that epoch, starts a
     * new one (its numbers went back: a restore from an older copy). Returns {epoch, seq}.
     */
    private static final String ROTATE = HEAD + """
            local epoch, seq = head(ARGV[1])
            if epoch == ARGV[2] then
              redis.call('DEL', KEYS[1], KEYS[2])
              redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'seq', 0)
              return {ARGV[1], 0}
            end
            return {epoch, seq}
            """;

    /** The stream's epoch and last sequence number. */
    record Head(String epoch, long sequence) {
    }

    /** One entry: its sequence number (from its id), epoch and text. */
    record Entry(long sequence, String epoch, String text) {
    }

    private final String key;
    private final String[] keys;
    /** How long a publish's once-key lives: past the last moment the client may send it again. */
    private final String onceMillis;
    private final String maxLength;
    private final String where;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> shared;
    private final StatefulRedisConnection<String, String> reading;
    private final AtomicBoolean readingClosed = new AtomicBoolean();
    private final String publishSha = sha1(PUBLISH);
    private final String publishNewerSha = sha1(PUBLISH_NEWER);
    private final String syncSha = sha1(SYNC);
    private final String rotateSha = sha1(ROTATE);

    /**
     * Connects both connections.
     *
     * @throws RedisException when Redis cannot be reached
     */
    StreamStore(RedisURI uri, String key, long maxLength, Duration timeout, Duration block) {
        this.key = key;
        this.keys = new String[] {key, key + ":meta"};
        // the client sends a command again after a reconnect only while its caller still waits
        // for it (a command that timed out is cancelled): a few timeouts cover every second run
        this.onceMillis = Long.toString(Math.max(10_000, timeout.multipliedBy(4).toMillis()));
        this.maxLength = Long.toString(maxLength);
        this.where = uri.getHost() + ":" + uri.getPort(); // never the URI: it may hold a password
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // retries within a second of Redis coming back, however long it was away
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisURI u = RedisURI.builder(uri).withTimeout(timeout).build();
        this.client = RedisClient.create(resources, u);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled()) // each connection's own timeout
                .build());
        StatefulRedisConnection<String, String> s = null;
        try {
            s = client.connect();
            this.reading = client.connect();
        } catch (RuntimeException e) {
            if (s != null) {
                s.close();
            }
            shutdown();
            throw e;
        }
        this.shared = s;
        reading.setTimeout(block.plus(timeout)); // an XREAD blocks up to `block` before it answers
    }

    /** @return host:port, for messages */
    String where() {
        return where;
    }

    /** @return the stream's key */
    String key() {
        return key;
    }

    /**
     * Appends {@code text} under the stream's next sequence number (any thread).
     *
     * @throws RedisStreamException when it could not, saying whether it may be in the stream
     */
    Head publish(String text) {
        return publish(text, newEpoch() + newEpoch());
    }

    /** {@link #publish(String)} under a given once-key id: for the test that runs it twice. */
    Head publish(String text, String once) {
        if (!shared.isOpen()) {
            throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED,
                    "redis " + where + ": not connected; nothing was sent", null);
        }
        try {
            String[] publishKeys = {keys[0], keys[1], keys[0] + ":once:" + once};
            return head(script(shared.sync(), publishSha, PUBLISH, publishKeys, newEpoch(), maxLength, text, onceMillis));
        } catch (RedisCommandExecutionException e) { // an answer: Redis refused it (the script appends first)
            throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED,
                    "redis " + where + ": refused: " + e.getMessage(), e);
        } catch (RedisException e) {
            // sent, or about to be, and no answer: a timeout, a connection lost on the way
            throw new RedisStreamException(RedisStreamException.Outcome.UNKNOWN,
                    "redis " + where + ": no answer: " + e.getMessage(), e);
        }
    }

    /**
     * Appends {@code text} as {@link #publish(String)} does, if {@code guardKey} holds
     * {@code guardValue} and {@code version} is above the last version appended this way (any
     * thread).
     *
     * @return where it was appended; sequence 0 when it was not
     * @throws RedisStreamException when Redis could not run it, saying whether it may be in the stream
     */
    Head publishIfNewer(String text, long version, String guardKey, String guardValue) {
        if (!shared.isOpen()) {
            throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED,
                    "redis " + where + ": not connected; nothing was sent", null);
        }
        try {
            String[] publishKeys = {keys[0], keys[1], keys[0] + ":once:" + newEpoch() + newEpoch(), guardKey};
            return head(script(shared.sync(), publishNewerSha, PUBLISH_NEWER, publishKeys, newEpoch(), maxLength, text,
                    onceMillis, guardValue, Long.toString(version)));
        } catch (RedisCommandExecutionException e) {
            throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED,
                    "redis " + where + ": refused: " + e.getMessage(), e);
        } catch (RedisException e) {
            throw new RedisStreamException(RedisStreamException.Outcome.UNKNOWN,
                    "redis " + where + ": no answer: " + e.getMessage(), e);
        }
    }

    /** Reader thread: the stream's head, a new epoch when its history is gone. */
    Head sync() {
        return head(script(reading.sync(), syncSha, SYNC, keys, newEpoch()));
    }

    /** Reader thread: retires {@code epoch} if the stream still has it. */
    Head rotate(String epoch) {
        return head(script(reading.sync(), rotateSha, ROTATE, keys, newEpoch(), epoch));
    }

    /** Any thread: the stream's epoch as Redis has it now, without changing anything. */
    String epochNow() {
        return shared.sync().hget(keys[1], "epoch");
    }

    /**
     * Reader thread: waits up to {@code block} for entries after {@code after}.
     *
     * @return up to {@code count} entries, in order; empty when none came
     */
    @SuppressWarnings("unchecked") // Lettuce's xread takes generic varargs: one offset here
    List<Entry> read(long after, int count, Duration block) {
        List<StreamMessage<String, String>> got = reading.sync().xread(
                XReadArgs.Builder.block(block).count(count), XReadArgs.StreamOffset.from(key, after + "-0"));
        return entries(got);
    }

    /** Any thread: the entries {@code from} to {@code to}, in order. */
    List<Entry> range(long from, long to) {
        return entries(shared.sync().xrange(key, Range.create(from + "-0", to + "-0"), Limit.from(to - from + 1)));
    }

    private static List<Entry> entries(List<StreamMessage<String, String>> got) {
        if (got == null || got.isEmpty()) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>(got.size());
        for (StreamMessage<String, String> m : got) {
            String id = m.getId();
            int dash = id.indexOf('-');
            long seq = Long.parseLong(dash < 0 ? id : id.substring(0, dash));
            String epoch = m.getBody().get("e");
            String text = m.getBody().get("m");
            out.add(new Entry(seq, epoch == null ? "" : epoch, text));
        }
        return out;
    }

    /** Interrupts a blocked read: the reader's next call fails at once. Idempotent. */
    void closeReading() {
        if (readingClosed.compareAndSet(false, true)) {
            reading.close();
        }
    }

    @Override
    public void close() {
        closeReading();
        shared.close();
        shutdown();
    }

    private void shutdown() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static List<Object> script(RedisCommands<String, String> redis, String sha, String body, String[] keys,
                                       String... args) {
        try {
            return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(body, ScriptOutputType.MULTI, keys, args); // loads it into the script cache too
        }
    }

    private static Head head(List<Object> reply) {
        return new Head((String) reply.get(0), (Long) reply.get(1));
    }

    /**
     * A candidate for the stream's next epoch, used only if the script finds the history gone:
     * drawn afresh for every call, so that two losses never get the same epoch. Twelve
     * characters of [0-9a-z] (62 random bits).
     */
    static String newEpoch() {
        long bits = ThreadLocalRandom.current().nextLong() >>> 2;
        StringBuilder b = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            b.append(Character.forDigit((int) (bits % 36), 36));
            bits /= 36;
        }
        return b.toString();
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
