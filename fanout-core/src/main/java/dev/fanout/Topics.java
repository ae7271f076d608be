package dev.fanout;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A registry of hubs by key, for many streams: a board per tournament, a price stream per
 * symbol. A hub is created on first use from one configuration and reclaimed once it has been
 * idle for the idle time: no subscriber attached and no call for its key through this registry.
 *
 * <p>Thread-safe: every method may be called from any thread, concurrently. Reclaiming is
 * atomic with respect to subscribing: {@link #subscribe} never returns a subscription on a hub
 * that is being reclaimed, and {@link #publish} never publishes to one (both retry on the
 * topic's new hub). Code that holds a hub from {@link #hub(Object)} and subscribes to it
 * directly may see {@link IllegalStateException} if the hub was reclaimed meanwhile.
 *
 * <p>Reclaiming happens in {@link #reclaimIdle()}: call it periodically, or let
 * {@link Builder#sweepEvery(Duration)} run it on a virtual thread that ends with
 * {@link #close()}. No thread is started otherwise.
 *
 * <p>{@link #stats()} sums the statistics of every hub the registry has had: a reclaimed hub's
 * final counts are kept, so the totals never go down when topics come and go.
 *
 * @param <K> the key type (with {@code equals} and {@code hashCode})
 * @param <T> the message type
 */
public final class Topics<K, T> implements AutoCloseable {

    private final Supplier<Hub<T>> factory;
    private final long idleMillis;
    private final InstantSource clock;
    private final ConcurrentHashMap<K, Entry<T>> hubs = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private volatile boolean closed;
    /**
     * Guards {@link #retired} and {@link Entry#retired}: a hub leaves the map only after its
     * stats were added to {@code retired} under this lock, so {@link #stats()}, which sums under
     * it, counts every hub exactly once.
     */
    private final Object retiring = new Object();
    private HubStats retired = HubStats.EMPTY;

    private Topics(Builder<K, T> b) {
        this.factory = b.factory;
        this.idleMillis = b.idle.toMillis();
        this.clock = b.clock;
        this.sweeper = b.sweep == null ? null : Thread.ofVirtual().name("fanout-topics-sweeper").start(() -> {
            long every = Checks.nanos(b.sweep);
            while (!closed) {
                try {
                    Thread.sleep(Duration.ofNanos(every));
                } catch (InterruptedException e) {
                    return;
                }
                reclaimIdle();
            }
        });
    }

    /**
     * A builder for topics whose hubs {@code factory} makes.
     *
     * @param factory creates the hub of a new topic; called at most once per created hub, possibly
     *                concurrently for different keys
     * @param <K>     the key type
     * @param <T>     the message type
     * @return a builder
     */
    public static <K, T> Builder<K, T> builder(Supplier<Hub<T>> factory) {
        return new Builder<>(factory);
    }

    private static final class Entry<T> {
        final Hub<T> hub;
        volatile long idleSince; // 0 while in use
        boolean retired; // guarded by Topics.retiring

        Entry(Hub<T> hub) {
            this.hub = hub;
        }
    }

    private Entry<T> entry(K key) {
        Objects.requireNonNull(key, "key");
        if (closed) {
            throw new IllegalStateException("topics are closed");
        }
        Entry<T> e = hubs.computeIfAbsent(key, k -> new Entry<>(Objects.requireNonNull(factory.get(),
                "the hub factory returned null")));
        if (closed) {
            // close() ran meanwhile and may not have seen this entry (the map's insert and the
            // flag's write are both volatile, so at least one of the two sees the other)
            e.hub.close();
            retire(key, e);
            throw new IllegalStateException("topics are closed");
        }
        e.idleSince = 0;
        return e;
    }

    /**
     * The hub of a topic, created on first use.
     *
     * @param key the topic
     * @return the topic's hub, created if absent
     * @throws IllegalStateException after {@link #close()}
     */
    public Hub<T> hub(K key) {
        return entry(key).hub;
    }

    /**
     * The hub of a topic, if it exists.
     *
     * @param key the topic
     * @return the topic's hub if it exists now; never creates one
     */
    public Optional<Hub<T>> find(K key) {
        Entry<T> e = hubs.get(Objects.requireNonNull(key, "key"));
        return e == null ? Optional.empty() : Optional.of(e.hub);
    }

    /**
     * Attaches a pull subscription to a topic, creating its hub if absent, and never to a hub
     * being reclaimed.
     *
     * @param key       the topic
     * @param configure sets up the subscription (strategy, capacity, resume ...)
     * @return the attached subscription
     * @throws IllegalStateException after {@link #close()}
     */
    public PullSubscription<T> subscribe(K key, UnaryOperator<SubscriptionBuilder<T>> configure) {
        Objects.requireNonNull(configure, "configure");
        return attach(key, hub -> configure.apply(hub.subscriber()).subscribe());
    }

    /**
     * Attaches a push subscription to a topic, creating its hub if absent, and never to a hub
     * being reclaimed.
     *
     * @param key       the topic
     * @param configure sets up the subscription (strategy, capacity, resume, executor ...)
     * @param handler   receives the messages
     * @return the attached subscription
     * @throws IllegalStateException after {@link #close()}
     */
    public PushSubscription<T> subscribe(K key, UnaryOperator<SubscriptionBuilder<T>> configure,
                                         DeliveryHandler<? super T> handler) {
        Objects.requireNonNull(configure, "configure");
        Objects.requireNonNull(handler, "handler");
        return attach(key, hub -> configure.apply(hub.subscriber()).subscribe(handler));
    }

    private <S> S attach(K key, Function<Hub<T>, S> subscribe) {
        while (true) {
            Entry<T> e = entry(key);
            try {
                return subscribe.apply(e.hub);
            } catch (IllegalStateException closedHub) {
                if (!e.hub.isClosed()) {
                    throw closedHub; // not a reclaim race: a misuse the caller must see
                }
                retire(key, e);
            }
        }
    }

    /**
     * Publishes to a topic, creating its hub if absent (so its history and latest value start).
     *
     * @param key     the topic
     * @param message the message
     * @return what {@link Hub#publish(Object)} returned: the sequence number, or a negative status
     * @throws IllegalStateException after {@link #close()}
     */
    public long publish(K key, T message) {
        while (true) {
            Entry<T> e = entry(key);
            long r = e.hub.publish(message);
            if (r != Hub.CLOSED || closed) {
                return r;
            }
            retire(key, e); // reclaimed under us: go again on a new hub
        }
    }

    /**
     * Closes and removes every hub that has had no subscriber for the idle time. Safe to call
     * from any thread at any time.
     *
     * @return how many hubs were reclaimed
     */
    public int reclaimIdle() {
        long now = clock.millis();
        int reclaimed = 0;
        for (var it = hubs.entrySet().iterator(); it.hasNext(); ) {
            var kv = it.next();
            Entry<T> e = kv.getValue();
            if (e.hub.subscriberCount() > 0) {
                e.idleSince = 0;
                continue;
            }
            long since = e.idleSince;
            if (since == 0) {
                e.idleSince = now;
                if (idleMillis > 0) {
                    continue;
                }
                since = now;
            }
            if (now - since >= idleMillis && e.hub.closeIfUnused()) {
                retire(kv.getKey(), e);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /** {@return the number of live topics} */
    public int size() {
        return hubs.size();
    }

    /** {@return the keys of the live topics, a snapshot} */
    public Set<K> keys() {
        return Set.copyOf(hubs.keySet());
    }

    /** Closes every hub and stops the sweeper. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.interrupt();
        }
        for (var kv : hubs.entrySet()) {
            kv.getValue().hub.close();
            retire(kv.getKey(), kv.getValue());
        }
    }

    /**
     * Removes a closed hub, its final stats kept in {@link #retired} first (once, whoever of
     * the reclaimer, a retrying caller and {@link #close()} gets here first).
     */
    private void retire(K key, Entry<T> e) {
        synchronized (retiring) {
            if (!e.retired) {
                e.retired = true;
                retired = retired.plus(e.hub.stats());
            }
        }
        hubs.remove(key, e);
    }

    /**
     * The statistics of every hub this registry has had, as one: the counters summed over the
     * live hubs and the reclaimed ones (kept as they were when reclaimed, so no total ever goes
     * down), {@link HubStats#subscribers()} and the depth and lag over the live hubs. After
     * {@link #close()} the totals stay as they were at the close. Any thread; it takes every
     * live hub's {@link Hub#stats()}, so take one per scrape.
     *
     * @return the sums
     */
    public HubStats stats() {
        synchronized (retiring) {
            HubStats sum = retired;
            for (Entry<T> e : hubs.values()) {
                if (!e.retired) {
                    sum = sum.plus(e.hub.stats());
                }
            }
            return sum;
        }
    }

    /**
     * Builds {@link Topics}. Not thread-safe.
     *
     * @param <K> the key type
     * @param <T> the message type
     */
    public static final class Builder<K, T> {
        private final Supplier<Hub<T>> factory;
        private Duration idle = Duration.ofMinutes(1);
        private Duration sweep;
        private InstantSource clock = InstantSource.system();

        private Builder(Supplier<Hub<T>> factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        /**
         * Sets how long an idle hub lives on.
         *
         * @param idle how long a hub with no subscriber lives on (default one minute; zero reclaims at the next sweep)
         * @return this
         */
        public Builder<K, T> idleTimeout(Duration idle) {
            this.idle = Checks.nonNegative("idleTimeout", idle);
            return this;
        }

        /**
         * Reclaims idle hubs periodically.
         *
         * @param every run {@link #reclaimIdle()} this often on a virtual thread until {@link #close()}
         * @return this
         */
        public Builder<K, T> sweepEvery(Duration every) {
            this.sweep = Checks.positive("sweepEvery", every);
            return this;
        }

        /**
         * Sets the time source of idleness.
         *
         * @param clock the time source of idleness (default the system clock)
         * @return this
         */
        public Builder<K, T> clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** {@return the registry} */
        public Topics<K, T> build() {
            return new Topics<>(this);
        }
    }
}
