package dev.fanout.redis;

import dev.fanout.Delivery;
import dev.fanout.Engine;
import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.SubscriptionBuilder;
import dev.fanout.spi.HubListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream of messages across many servers: every instance (one per JVM, or several in one)
 * publishes into the same Redis Stream, and each reads it back and fans it out to its own
 * subscribers through a local {@link Hub}, so every instance's subscribers see the same
 * messages, in the same order, under the same sequence numbers.
 *
 * {@snippet file="dev/fanout/redis/ClusterExample.java" region="example"}
 *
 * <h2>Sequence numbers and epochs</h2>
 * {@link #publish(Object)} appends the message with one Lua script that takes the next number
 * of the stream's counter and appends the entry under the id {@code <number>-0}, trimmed with
 * {@code MAXLEN ~}; so numbers are dense and increasing across the cluster, and an entry's id is
 * its number. The stream's epoch is kept in Redis next to the counter. When the history is lost
 * (the stream or its counter deleted, a Redis that came back empty, or one restored from an
 * older copy), the next script or reader to notice starts a new epoch with numbers from 1, and
 * every instance moves to it: it closes its local hub (its subscriptions end, as with
 * {@link Hub#close()}) and builds a new one, so a position from before is a gap
 * ({@link dev.fanout.Subscription#startGap()}), never a replay.
 *
 * <h2>Reading</h2>
 * Each instance has one reader thread, with its own connection, that waits in {@code XREAD}
 * for the entries after the last one it read and publishes them into the local hub. Local
 * subscribers keep their own {@link Overflow} strategies; a lossless one that falls behind
 * slows this instance's reader only. When Redis is down the reader retries, the local hub goes
 * on serving what it has, and once Redis answers the reader catches up from its last entry:
 * nothing twice, and nothing skipped that the stream still holds ({@link RedisStreamStats#missed()}
 * counts what it no longer held).
 *
 * <h2>Resuming anywhere</h2>
 * {@link #subscriberAfter(Position)} resumes a subscriber that stood at a position on any
 * instance: from the local history, else from the stream ({@code XRANGE}, at most
 * {@link Builder#maxBackfill(int)} entries) for what the local history lacks, else a gap. When
 * the position is ahead of this instance (the subscriber came from a faster one), it first waits
 * for this instance to read that far, so the subscriber never goes back. {@link #localAfter(Position)}
 * does the same wait and returns the local hub, for a caller that subscribes itself (an SSE
 * handler resuming from {@code Last-Event-ID}).
 *
 * <h2>Whole states</h2>
 * When each message is a whole state at a version of some source, and several instances
 * publish what they read, {@link #publishIfNewer} appends only a version above the last one, in
 * the same script, so racing instances never make the stream go back.
 *
 * <h2>Threads</h2>
 * Every method is safe from any thread. {@link #publish(Object)} and {@link #publishIfNewer}
 * block for one round trip to Redis. The local hub is published to only by the reader thread; do not publish into
 * {@link #local()}.
 *
 * @param <T> the message type
 */
public final class RedisStreamHub<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisStreamHub.class.getName());
    private static final long RETRY_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final StreamCodec<T> codec;
    private final StreamStore store;
    /** The options, a copy of the builder's, read by every thread (published by the constructor). */
    private final Builder<T> config;
    private final Thread reader;

    /** The hub of the current epoch: replaced (by the reader thread only) when the epoch changes. */
    private volatile Hub<T> local;
    private volatile boolean closed;

    /** Signalled by the reader after each batch and epoch change, for subscribers waiting to catch up. */
    private final ReentrantLock progressLock = new ReentrantLock();
    private final Condition progressed = progressLock.newCondition();
    private volatile int waiting;

    // ------------------------------------------------------------------ reader-owned (single writer, read by stats)
    private long lastRead;
    /** False until the first entry of an epoch is read: a jump before it is not a loss. */
    private boolean counting;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong epochChanges = new AtomicLong();
    private final AtomicLong readErrors = new AtomicLong();
    private final AtomicLong recoveries = new AtomicLong();
    private volatile Position readPosition;

    // ------------------------------------------------------------------ any thread
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final AtomicLong backfilled = new AtomicLong();
    private final AtomicLong backfillFailures = new AtomicLong();

    private RedisStreamHub(Builder<T> b) {
        this.name = b.name != null ? b.name : "redis-" + b.key;
        this.codec = b.codec;
        this.config = b;
        try {
            this.store = new StreamStore(b.uri, b.key, b.maxLength, b.timeout, b.block);
        } catch (RedisException e) {
            throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED,
                    "redis " + b.uri.getHost() + ":" + b.uri.getPort() + ": cannot connect: " + e.getMessage(), e);
        }
        StreamStore.Head head;
        try {
            head = store.sync();
        } catch (RedisException e) {
            store.close();
            throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED,
                    "redis " + store.where() + ": cannot read the epoch of " + b.key + ": " + e.getMessage(), e);
        }
        this.local = newLocal(head.epoch());
        this.lastRead = warmStart(head.sequence());
        this.readPosition = Position.of(head.epoch(), lastRead);
        this.reader = Thread.ofPlatform().daemon().name("fanout-redis-reader-" + name).unstarted(this::readLoop);
        reader.start();
    }

    /**
     * A builder for a hub on the Redis Stream {@code key}.
     *
     * @param uri   the Redis to use, e.g. {@code RedisURI.create("redis://127.0.0.1:6379")}
     * @param key   the stream's key; its counter and epoch are kept at {@code key:meta} (in a
     *              Redis Cluster, give the key a hash tag such as {@code {board}} so both land
     *              in one slot)
     * @param codec turns messages into the entries' text and back
     * @param <T>   the message type
     * @return a builder with the defaults listed on its methods
     */
    public static <T> Builder<T> builder(RedisURI uri, String key, StreamCodec<T> codec) {
        return new Builder<>(uri, key, codec);
    }

    // ------------------------------------------------------------------ publish

    /**
     * Appends {@code message} to the stream under the next cluster-wide sequence number. Every
     * instance, this one included, then delivers it to its subscribers; this call does not wait
     * for that.
     *
     * @param message the message, not null
     * @return the stream's epoch and the message's sequence number in it
     * @throws RedisStreamException  when Redis could not take it, with whether it may be in the
     *                               stream ({@link RedisStreamException#outcome()})
     * @throws IllegalStateException when this hub is closed
     */
    public Position publish(T message) {
        Objects.requireNonNull(message, "message");
        if (closed) {
            throw new IllegalStateException("hub " + name + " is closed");
        }
        String text = codec.encode(message);
        StreamStore.Head head;
        try {
            head = store.publish(text);
        } catch (RedisStreamException e) {
            publishFailures.incrementAndGet();
            throw e;
        }
        published.incrementAndGet();
        return Position.of(head.epoch(), head.sequence());
    }

    /**
     * Appends {@code message} as {@link #publish(Object)} does, but only when it is newer than
     * every message appended this way before it: for messages that each carry a whole state at
     * a version of some source, published by several instances that may race, so that the
     * stream never goes back to an older state.
     *
     * <p>One script, atomically: when the Redis key {@code guardKey} does not hold
     * {@code guardValue} (the source's versions are numbered in another series now, so this
     * message's version means nothing any more), nothing is appended. When the last message
     * appended this way in the stream's epoch had another guard value (the source started a new
     * series of versions), the stream starts a new epoch first, as when its history is lost:
     * its readers move to it and a position from before is a gap. Otherwise the message is
     * appended only if {@code version} is greater than the last such message's. The guard key
     * must be in the same Redis (and, in a Redis Cluster, in the stream key's hash slot).
     *
     * @param message    the message, not null
     * @param version    the message's version in its source, in the series {@code guardValue} names
     * @param guardKey   a Redis key that holds the source's current series
     * @param guardValue the series the message's version belongs to, not empty
     * @return the stream's epoch and the message's sequence number, or empty when it was not
     *         appended (a newer or equal version was, or the series is not the guard key's)
     * @throws RedisStreamException  when Redis could not run it, with whether it may be in the
     *                               stream ({@link RedisStreamException#outcome()})
     * @throws IllegalStateException when this hub is closed
     */
    public Optional<Position> publishIfNewer(T message, long version, String guardKey, String guardValue) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(guardKey, "guardKey");
        if (Objects.requireNonNull(guardValue, "guardValue").isEmpty()) {
            throw new IllegalArgumentException("guardValue: \"\" (expected: not empty)");
        }
        if (closed) {
            throw new IllegalStateException("hub " + name + " is closed");
        }
        String text = codec.encode(message);
        StreamStore.Head head;
        try {
            head = store.publishIfNewer(text, version, guardKey, guardValue);
        } catch (RedisStreamException e) {
            publishFailures.incrementAndGet();
            throw e;
        }
        if (head.sequence() == 0) {
            return Optional.empty();
        }
        published.incrementAndGet();
        return Optional.of(Position.of(head.epoch(), head.sequence()));
    }

    // ------------------------------------------------------------------ subscribe

    /**
     * {@return a subscription builder on the local hub of the current epoch; a subscriber that
     * resumes should use {@link #subscriberAfter(Position)}}
     */
    public SubscriptionBuilder<T> subscriber() {
        return local.subscriber();
    }

    /**
     * A subscription builder that resumes after {@code position}, which the subscriber may have
     * from any instance: from the local history, else from the stream, else with a gap
     * ({@link dev.fanout.Subscription#startGap()}), as {@link SubscriptionBuilder#resumeAfter(Position)}
     * describes. When the position is of this stream's epoch but ahead of this instance, or of
     * an epoch Redis has and this instance has not reached yet, it first waits up to
     * {@link Builder#catchUpWait(Duration)} for the reader to get there.
     *
     * <p>Call {@code subscribe} on the builder at once: if the epoch changes in between, the
     * builder's hub is closed and {@code subscribe} fails with {@link IllegalStateException}.
     *
     * @param position where the subscriber stands, e.g. parsed from an SSE {@code Last-Event-ID}
     * @return the builder, with {@code resumeAfter(position)} set
     * @throws RedisStreamException when this instance could not reach the position in time
     *                              (Redis down or this instance far behind): serve the
     *                              subscriber elsewhere, or later
     */
    public SubscriptionBuilder<T> subscriberAfter(Position position) {
        return localAfter(position).subscriber().resumeAfter(position);
    }

    /**
     * The local hub to resume a subscriber at {@code position} from, once this instance has
     * caught up with it: for a subscriber that the caller attaches itself (an SSE handler that
     * resumes from {@code Last-Event-ID} on the hub it is given). When the position is of this
     * stream's epoch but ahead of this instance, or of an epoch Redis has and this instance has
     * not reached yet, it first waits up to {@link Builder#catchUpWait(Duration)} for the reader
     * to get there, as {@link #subscriberAfter(Position)} does; a position of an epoch that is
     * gone is returned at once (resuming from it on the hub is a gap).
     *
     * @param position where the subscriber stands
     * @return the local hub, at or past {@code position} when it is of the hub's epoch
     * @throws RedisStreamException when this instance could not reach the position in time
     */
    public Hub<T> localAfter(Position position) {
        Objects.requireNonNull(position, "position");
        long deadline = System.nanoTime() + config.catchUpWait.toNanos();
        String redisEpoch = null;
        while (true) {
            Hub<T> h = local;
            if (h.epoch().equals(position.epoch())) {
                if (h.sequence() >= position.sequence()) {
                    return h;
                }
            } else {
                if (redisEpoch == null) {
                    try {
                        redisEpoch = Objects.requireNonNullElse(store.epochNow(), "");
                    } catch (RedisException e) {
                        redisEpoch = ""; // cannot tell: the position is of no epoch this instance knows
                    }
                }
                if (!redisEpoch.equals(position.epoch())) {
                    return h; // an epoch that is gone: a gap
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                throw new RedisStreamException(RedisStreamException.Outcome.NOT_APPLIED, "hub " + name
                        + ": position " + position + " is ahead of this instance (at " + h.position()
                        + ") and it did not get there within " + config.catchUpWait, null);
            }
            awaitProgress(h, position.sequence(), left);
        }
    }

    /**
     * Waits until the reader has moved on from {@code seen} and {@code behind}, or for a slice of
     * {@code nanos}: the caller looks again either way (a signal racing the announcement is
     * covered by the slice).
     */
    private void awaitProgress(Hub<T> seen, long behind, long nanos) {
        progressLock.lock();
        try {
            waiting++;
            try {
                if (local == seen && seen.sequence() < behind && !closed) {
                    progressed.awaitNanos(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(50)));
                }
            } finally {
                waiting--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for hub " + name + " to catch up", e);
        } finally {
            progressLock.unlock();
        }
    }

    /** Reader thread: wakes subscribers waiting for this instance to catch up. */
    private void signalProgress() {
        if (waiting > 0) {
            progressLock.lock();
            try {
                progressed.signalAll();
            } finally {
                progressLock.unlock();
            }
        }
    }

    /**
     * Subscribing thread: what the local history lacks, read back from the stream, as long as the
     * stream still holds those entries in {@code epoch}; empty otherwise (a gap).
     */
    private List<Delivery<T>> backfill(String epoch, long after, long upTo) {
        if (upTo - after > config.maxBackfill) {
            backfillFailures.incrementAndGet();
            return List.of();
        }
        List<StreamStore.Entry> entries;
        try {
            entries = store.range(after + 1, upTo);
        } catch (RedisException e) {
            backfillFailures.incrementAndGet();
            LOG.log(Level.DEBUG, "hub {0}: reading entries {1} to {2} back failed: {3}", name, after + 1, upTo,
                    e.getMessage());
            return List.of();
        }
        List<Delivery<T>> out = new ArrayList<>(entries.size());
        long next = after + 1;
        for (StreamStore.Entry e : entries) {
            if (e.sequence() != next || !e.epoch().equals(epoch)) {
                break; // trimmed, or another epoch: the hub takes the prefix, and calls the rest a gap
            }
            try {
                out.add(Delivery.of(e.sequence(), codec.decode(e.text())));
            } catch (RuntimeException ex) {
                break;
            }
            next++;
        }
        if (out.isEmpty()) {
            backfillFailures.incrementAndGet();
        }
        backfilled.addAndGet(out.size());
        return out;
    }

    // ------------------------------------------------------------------ reader

    private Hub<T> newLocal(String epoch) {
        Hub.Builder<T> b = Hub.<T>builder().name(name).epoch(epoch).externalSequence().singlePublisher()
                .history(config.history).backfill(this::backfill);
        if (config.engine != null) {
            b.engine(config.engine);
        }
        if (config.capacity > 0) {
            b.capacity(config.capacity);
        }
        if (config.overflow != null) {
            b.overflow(config.overflow);
        }
        if (config.listener != null) {
            b.listener(config.listener);
        }
        return b.build();
    }

    /** Where an instance that joins an epoch at {@code head} starts reading: its history's worth back. */
    private long warmStart(long head) {
        return Math.max(0, head - Math.min(config.history.maxCount(), Builder.WARM_MAX));
    }

    private void readLoop() {
        long pause = RETRY_MIN_NANOS;
        boolean failing = false;
        long nextSync = System.nanoTime() + config.block.toNanos();
        while (!closed) {
            try {
                if (System.nanoTime() - nextSync >= 0 || failing) {
                    syncEpoch();
                    nextSync = System.nanoTime() + config.block.toNanos();
                }
                List<StreamStore.Entry> entries = store.read(lastRead, config.readBatch, config.block);
                if (failing) {
                    failing = false;
                    pause = RETRY_MIN_NANOS;
                    recoveries.incrementAndGet();
                    LOG.log(Level.INFO, "hub {0}: reading {1} again from {2}", name, store.where(), readPosition);
                }
                if (entries.isEmpty()) {
                    nextSync = System.nanoTime(); // idle: look at the epoch now
                    continue;
                }
                Hub<T> h = local;
                for (StreamStore.Entry e : entries) {
                    if (!e.epoch().equals(h.epoch())) {
                        syncEpoch(); // another epoch's entry: the history was lost, most likely
                        if (local != h) {
                            break; // moved to the new epoch: its stream is read from the start
                        }
                        // the stream's epoch is still this one: a stray entry written by hand; skip it
                        lastRead = e.sequence();
                        undecodable.incrementAndGet();
                        continue;
                    }
                    if (counting && e.sequence() > lastRead + 1) {
                        missed.addAndGet(e.sequence() - lastRead - 1);
                    }
                    counting = true;
                    lastRead = e.sequence();
                    T message;
                    try {
                        message = codec.decode(e.text());
                    } catch (RuntimeException ex) {
                        undecodable.incrementAndGet();
                        LOG.log(Level.WARNING, "hub " + name + ": entry " + e.sequence() + " cannot be decoded; skipped", ex);
                        continue;
                    }
                    if (h.publish(e.sequence(), message) == Hub.CLOSED) {
                        break; // closing
                    }
                    read.incrementAndGet();
                }
                if (local == h) {
                    readPosition = Position.of(h.epoch(), lastRead);
                }
                signalProgress();
            } catch (RedisException e) {
                if (closed) {
                    break;
                }
                readErrors.incrementAndGet();
                if (!failing) {
                    LOG.log(Level.WARNING, "hub {0}: reading {1} failed ({2}); retrying", name, store.where(),
                            e.getMessage());
                }
                failing = true;
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException ie) {
                    break;
                }
                pause = Math.min(pause * 2, RETRY_MAX_NANOS);
            } catch (RuntimeException e) { // a bug: keep the instance reading rather than silently stop
                if (closed) {
                    break;
                }
                readErrors.incrementAndGet();
                LOG.log(Level.ERROR, "hub " + name + ": the reader failed; retrying", e);
                failing = true;
                try {
                    TimeUnit.NANOSECONDS.sleep(RETRY_MAX_NANOS);
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
    }

    /**
     * Reader thread: moves to the stream's epoch when it is not the local hub's, and retires the
     * epoch when the stream's numbers went back below what this instance read.
     */
    private void syncEpoch() {
        StreamStore.Head head = store.sync();
        Hub<T> h = local;
        if (head.epoch().equals(h.epoch()) && head.sequence() < lastRead) {
            LOG.log(Level.WARNING, "hub {0}: the stream is at {1} of epoch {2}, behind the {3} read here;"
                    + " its history was lost: starting a new epoch", name, head.sequence(), head.epoch(), lastRead);
            head = store.rotate(head.epoch());
        }
        if (!head.epoch().equals(h.epoch())) {
            LOG.log(Level.WARNING, "hub {0}: the stream's history was lost; epoch {1} replaces {2}", name,
                    head.epoch(), h.epoch());
            Hub<T> fresh = newLocal(head.epoch());
            local = fresh;
            lastRead = warmStart(head.sequence());
            counting = false;
            readPosition = Position.of(head.epoch(), lastRead);
            epochChanges.incrementAndGet();
            h.close();
            signalProgress();
        }
    }

    // ------------------------------------------------------------------ accessors

    /**
     * {@return the local hub of the current epoch, for its statistics and to subscribe; it is
     * replaced when the epoch changes. Publish through {@link #publish(Object)}, never into it.}
     */
    public Hub<T> local() {
        return local;
    }

    /** {@return the current epoch, as this instance knows it} */
    public String epoch() {
        return local.epoch();
    }

    /** {@return the position of the last message this instance has delivered to its local hub} */
    public Position position() {
        return local.position();
    }

    /** {@return the stream's key} */
    public String key() {
        return store.key();
    }

    /** {@return this instance's counters; any thread} */
    public RedisStreamStats stats() {
        return new RedisStreamStats(readPosition, published.get(), publishFailures.get(), read.get(), missed.get(),
                undecodable.get(), epochChanges.get(), readErrors.get(), recoveries.get(), backfilled.get(),
                backfillFailures.get());
    }

    /**
     * Stops reading, closes the local hub (its subscriptions end after delivering what they
     * hold) and the connections. Idempotent. Leaves the stream in Redis.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.closeReading(); // a blocked XREAD fails at once
        reader.interrupt();
        local.close(); // releases the reader if it waits for room in a lossless subscriber
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        local.close(); // the reader may have moved to a new epoch meanwhile
        store.close();
    }

    @Override
    public String toString() {
        return "RedisStreamHub[" + name + ", " + local.position() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link RedisStreamHub}. Each option may be set once. Not thread-safe.
     *
     * @param <T> the message type
     */
    public static final class Builder<T> {
        /** The most entries an instance reads back when it joins an epoch, to fill its history. */
        static final int WARM_MAX = 1024;

        private final RedisURI uri;
        private final String key;
        private final StreamCodec<T> codec;
        private String name;
        private long maxLength;
        private History history;
        private Engine engine;
        private int capacity;
        private Overflow overflow;
        private HubListener listener;
        private Duration timeout;
        private Duration block;
        private Duration catchUpWait;
        private int readBatch;
        private int maxBackfill;

        private Builder(RedisURI uri, String key, StreamCodec<T> codec) {
            this.uri = Objects.requireNonNull(uri, "uri");
            this.key = Objects.requireNonNull(key, "key");
            if (key.isBlank()) {
                throw new IllegalArgumentException("key: \"" + key + "\" (expected: not blank)");
            }
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        private static void once(boolean set, String option) {
            if (set) {
                throw new IllegalStateException(option + " was already set");
            }
        }

        private static int positive(String option, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(option + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        private static Duration positive(String option, Duration value) {
            Objects.requireNonNull(value, option);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(option + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        /**
         * Names the local hub and the reader thread.
         *
         * @param name names the local hub and the reader thread (default {@code redis-<key>})
         * @return this
         */
        public Builder<T> name(String name) {
            once(this.name != null, "name");
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets how many entries the stream keeps.
         *
         * @param maxLength about how many entries the stream keeps ({@code XADD MAXLEN ~}; Redis
         *                  may keep somewhat more), and so how far back a resume can reach
         *                  (default 100,000)
         * @return this
         */
        public Builder<T> maxLength(long maxLength) {
            once(this.maxLength != 0, "maxLength");
            if (maxLength <= 0) {
                throw new IllegalArgumentException("maxLength: " + maxLength + " (expected: > 0)");
            }
            this.maxLength = maxLength;
            return this;
        }

        /**
         * Sets what each local hub keeps for resumes.
         *
         * @param history what each instance's local hub keeps for resumes without a round trip
         *                (default {@code History.last(1024)}); not {@link History#none()}
         * @return this
         */
        public Builder<T> history(History history) {
            once(this.history != null, "history");
            if (Objects.requireNonNull(history, "history").maxCount() == 0) {
                throw new IllegalArgumentException("history: " + history + " (expected: some: a resume starts from it)");
            }
            this.history = history;
            return this;
        }

        /**
         * Chooses the local hub's engine.
         *
         * @param engine the local hub's engine (default {@link Engine#queues()})
         * @return this
         */
        public Builder<T> engine(Engine engine) {
            once(this.engine != null, "engine");
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Sets the local hub's default subscription capacity.
         *
         * @param capacity the local hub's default subscription capacity (default the hub's)
         * @return this
         */
        public Builder<T> capacity(int capacity) {
            once(this.capacity != 0, "capacity");
            this.capacity = positive("capacity", capacity);
            return this;
        }

        /**
         * Sets the local hub's default strategy.
         *
         * @param overflow the local hub's default strategy (default the hub's); a lossless
         *                 subscriber slows this instance's reader when it falls behind
         * @return this
         */
        public Builder<T> overflow(Overflow overflow) {
            once(this.overflow != null, "overflow");
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * Sets the local hub's listener.
         *
         * @param listener the local hub's listener (default none)
         * @return this
         */
        public Builder<T> listener(HubListener listener) {
            once(this.listener != null, "listener");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets how long a command waits for Redis.
         *
         * @param timeout how long a command waits for Redis's answer (default 2 s); a publish
         *                without an answer by then fails with outcome {@code UNKNOWN}
         * @return this
         */
        public Builder<T> timeout(Duration timeout) {
            once(this.timeout != null, "timeout");
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /**
         * Sets how long one read waits for entries.
         *
         * @param block how long one {@code XREAD} waits for entries (default 1 s); also how often
         *              an idle reader checks the stream's epoch
         * @return this
         */
        public Builder<T> block(Duration block) {
            once(this.block != null, "block");
            this.block = positive("block", block);
            return this;
        }

        /**
         * Sets how long a resume waits for this instance to catch up.
         *
         * @param catchUpWait how long {@link RedisStreamHub#subscriberAfter(Position)} waits for
         *                    this instance to reach a position that is ahead of it (default 2 s)
         * @return this
         */
        public Builder<T> catchUpWait(Duration catchUpWait) {
            once(this.catchUpWait != null, "catchUpWait");
            this.catchUpWait = positive("catchUpWait", catchUpWait);
            return this;
        }

        /**
         * Sets the most entries one read returns.
         *
         * @param readBatch the most entries one {@code XREAD} returns (default 256)
         * @return this
         */
        public Builder<T> readBatch(int readBatch) {
            once(this.readBatch != 0, "readBatch");
            this.readBatch = positive("readBatch", readBatch);
            return this;
        }

        /**
         * Sets the most entries a resume reads back.
         *
         * @param maxBackfill the most entries a resume reads back from the stream (default
         *                    10,000); a subscriber further behind than the local history and this
         *                    gets a gap
         * @return this
         */
        public Builder<T> maxBackfill(int maxBackfill) {
            once(this.maxBackfill != 0, "maxBackfill");
            this.maxBackfill = positive("maxBackfill", maxBackfill);
            return this;
        }

        /**
         * Connects, reads the stream's epoch (starting one when the stream has none) and starts
         * the reader thread.
         *
         * @return the hub
         * @throws RedisStreamException when Redis cannot be reached
         */
        public RedisStreamHub<T> build() {
            if (maxLength == 0) {
                maxLength = 100_000;
            }
            if (history == null) {
                history = History.last(1024);
            }
            if (timeout == null) {
                timeout = Duration.ofSeconds(2);
            }
            if (block == null) {
                block = Duration.ofSeconds(1);
            }
            if (catchUpWait == null) {
                catchUpWait = Duration.ofSeconds(2);
            }
            if (readBatch == 0) {
                readBatch = 256;
            }
            if (maxBackfill == 0) {
                maxBackfill = 10_000;
            }
            return new RedisStreamHub<>(copy()); // a copy: options set on this builder later change no hub
        }

        private Builder<T> copy() {
            Builder<T> c = new Builder<>(uri, key, codec);
            c.name = name;
            c.maxLength = maxLength;
            c.history = history;
            c.engine = engine;
            c.capacity = capacity;
            c.overflow = overflow;
            c.listener = listener;
            c.timeout = timeout;
            c.block = block;
            c.catchUpWait = catchUpWait;
            c.readBatch = readBatch;
            c.maxBackfill = maxBackfill;
            return c;
        }
    }
}
