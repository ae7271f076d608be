package dev.fanout.leaderboard;

import dev.fanout.Hub;
import dev.fanout.micrometer.FanoutMetrics;
import dev.fanout.micrometer.SseMetrics;
import dev.fanout.redis.RedisStreamStats;
import dev.fanout.sse.ConnectionGuard;
import dev.fanout.sse.SseHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The app's meters, in a Micrometer {@link PrometheusMeterRegistry} of its own, served as
 * Prometheus text at {@code /metrics} ({@link #scrape()}): the fan-out hub's through
 * fanout-micrometer's {@link FanoutMetrics} ({@code fanout_hub_*{hub="leaderboard"}}), the
 * stream endpoint's through its {@link SseMetrics} ({@code fanout_sse_*{endpoint="stream-leaderboard"}},
 * with the publish-to-flush latency as a timer's histogram), and the app's own: submissions by
 * outcome, store latency by operation, open streams, the change feed's counters, the connection
 * guard's, and the JVM's memory, threads, CPU and uptime.
 *
 * <p>Thread-safe. {@link #close()} removes the meters and detaches the stream's latency timer,
 * so an app that stops leaves no reference to its hub behind.
 */
final class AppMetrics implements AutoCloseable {

    /** Outcomes of {@code POST /submit-game}, as the {@code outcome} tag. */
    enum Outcome {
        APPLIED, DUPLICATE, INVALID, UNAUTHORIZED, TOO_LARGE, UNSUPPORTED_TYPE, UNAVAILABLE,
        /** The store may or may not have applied it (Redis did not answer in time). */
        UNKNOWN;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Store operations, as the {@code op} tag. */
    enum Op {
        APPLY, TOP, STANDING;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The {@code hub} tag of the snapshot hub's meters. */
    static final String HUB = "leaderboard";
    /** The {@code endpoint} tag of the stream endpoint's meters. */
    static final String ENDPOINT = "stream-leaderboard";
    /** The Prometheus text format's content type, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Outcome, Counter> submissions = new EnumMap<>(Outcome.class);
    private final Map<Op, Timer> latency = new EnumMap<>(Op.class);
    private final Supplier<Hub<Snapshot>> hubs;
    private Hub<Snapshot> boundHub; // guarded by this
    private FanoutMetrics hubMetrics; // guarded by this
    private final SseMetrics streamMetrics;

    /**
     * @param hubs the hub the streams read now: the fanout meters follow it when it is replaced
     *             (with Redis, at a new epoch: its counters then start again from 0)
     */
    AppMetrics(Supplier<Hub<Snapshot>> hubs, SnapshotStream snapshots, ChangeFeed feed, SseHandler<Snapshot> stream,
               ConnectionGuard guard) {
        for (Outcome o : Outcome.values()) {
            submissions.put(o, Counter.builder("leaderboard.submissions")
                    .description("POST /submit-game requests by outcome")
                    .tag("outcome", o.tag())
                    .register(registry));
        }
        for (Op op : Op.values()) {
            latency.put(op, Timer.builder("leaderboard.store.latency")
                    .description("Store call latency by operation")
                    .tag("op", op.tag())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(10_000))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry));
        }
        Gauge.builder("leaderboard.streams.open", stream, SseHandler::openConnections)
                .description("Open /stream-leaderboard connections").strongReference(true).register(registry);
        // function counters hold their object weakly: the app holds the feed and the guard while it runs
        FunctionCounter.builder("leaderboard.snapshots.published", feed, ChangeFeed::published)
                .description("Snapshots the change feed published").register(registry);
        FunctionCounter.builder("leaderboard.snapshots.unchanged", feed, ChangeFeed::unchanged)
                .description("Store reads whose top K had not changed, so nothing was published").register(registry);
        FunctionCounter.builder("leaderboard.feed.failures", feed, ChangeFeed::failures)
                .description("Change feed reads that failed because the store was unavailable").register(registry);
        Gauge.builder("fanout.connections.open", guard, ConnectionGuard::openConnections)
                .description("Connections open on the guarded listener").strongReference(true).register(registry);
        for (ConnectionGuard.Reason reason : ConnectionGuard.Reason.values()) {
            FunctionCounter.builder("fanout.connections.closed", guard, g -> g.closed(reason))
                    .description("Connections the guard closed, by reason")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        if (snapshots instanceof ClusterSnapshots cluster) {
            bindCluster(cluster);
        }
        this.hubs = hubs;
        bindHub();
        this.streamMetrics = SseMetrics.of(stream, ENDPOINT, Tags.empty(), Duration.ofMillis(100), Duration.ofSeconds(1));
        streamMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Redis mode: this instance's counters of the cluster's snapshot stream (what it published
     * and read, what Redis lost for it, its read failures and catch-ups, the read-backs for
     * resumes), as {@code leaderboard_cluster_*_total}; 0 until the stream is open.
     */
    private void bindCluster(ClusterSnapshots cluster) {
        clusterCounter(cluster, "published", "Snapshots this instance appended to the cluster stream",
                RedisStreamStats::published);
        clusterCounter(cluster, "publish.failures", "Appends to the cluster stream that failed or whose outcome is unknown",
                RedisStreamStats::publishFailures);
        clusterCounter(cluster, "read", "Snapshots this instance read from the cluster stream", RedisStreamStats::read);
        clusterCounter(cluster, "missed", "Snapshots the stream no longer held when this instance read on (lost by Redis)",
                RedisStreamStats::missed);
        clusterCounter(cluster, "epoch.changes", "Times the cluster stream's epoch changed (its history was lost)",
                RedisStreamStats::epochChanges);
        clusterCounter(cluster, "read.errors", "Failed reads of the cluster stream (Redis down or unreachable)",
                RedisStreamStats::readErrors);
        clusterCounter(cluster, "recoveries", "Catch-ups from the last entry read after failed reads",
                RedisStreamStats::recoveries);
        clusterCounter(cluster, "backfilled", "Snapshots read back from Redis for resumes the local history could not serve",
                RedisStreamStats::backfilled);
        clusterCounter(cluster, "backfill.failures", "Resumes whose read-back failed: each a reset for its client",
                RedisStreamStats::backfillFailures);
    }

    private void clusterCounter(ClusterSnapshots cluster, String name, String description,
                                ToLongFunction<RedisStreamStats> count) {
        // the app holds the cluster stream while it runs (function counters hold it weakly)
        FunctionCounter.builder("leaderboard.cluster." + name, cluster,
                        c -> c.stream().map(h -> (double) count.applyAsLong(h.stats())).orElse(0.0))
                .description(description).register(registry);
    }

    void submission(Outcome outcome) {
        submissions.get(outcome).increment();
    }

    void storeLatency(Op op, long startNanos) {
        latency.get(op).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** Binds the fanout meters to the current hub, unless they are bound to it already. */
    private synchronized void bindHub() {
        Hub<Snapshot> h = hubs.get();
        if (h == boundHub) {
            return;
        }
        if (hubMetrics != null) {
            hubMetrics.close();
        }
        hubMetrics = FanoutMetrics.of(h, HUB);
        hubMetrics.bindTo(registry);
        boundHub = h;
    }

    /** @return every meter in the Prometheus text format ({@link #CONTENT_TYPE}); any thread */
    String scrape() {
        bindHub();
        return registry.scrape();
    }

    @Override
    public synchronized void close() {
        streamMetrics.close();
        hubMetrics.close();
        registry.close();
        registry.clear();
    }
}
