package dev.fanout.leaderboard;

import dev.fanout.DropCause;
import dev.fanout.Hub;
import dev.fanout.HubStats;
import dev.fanout.sse.ConnectionGuard;
import dev.fanout.sse.SseDisconnect;
import dev.fanout.sse.SseHandler;
import dev.fanout.sse.SseStats;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The app's meters, in Helidon's metrics registry, served as Prometheus text at {@code /metrics}:
 * submissions by outcome, store latency by operation, open streams, the change feed's counters,
 * the fan-out hub's counters (read from {@link Hub#stats()} at scrape time) and the stream
 * endpoint's (read from {@link SseHandler#stats()} at scrape time, see {@link #sse}). Both stats
 * calls walk every open connection, so each is taken at most once per {@link #STATS_WINDOW} and
 * shared by all the meters of a scrape ({@link Recent}), not once per meter.
 *
 * <p>Thread-safe. {@link #close()} removes this instance's meters from the registry, so an app
 * that stops leaves no reference to its hub behind.
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

    /**
     * How long one {@link Hub#stats()} or {@link SseHandler#stats()} serves the meters. A scrape
     * reads ~45 meters; with 19,000 streams each of those walks cost ~8 ms and, taken per meter,
     * a third of the server's Java CPU samples at 1 snapshot/s (docs/load.md, scenario 1).
     */
    static final Duration STATS_WINDOW = Duration.ofMillis(100);

    private final MeterRegistry registry = Metrics.globalRegistry();
    private final List<Meter> meters = new ArrayList<>();
    private final Map<Outcome, Counter> submissions = new EnumMap<>(Outcome.class);
    private final Map<Op, Timer> latency = new EnumMap<>(Op.class);

    /**
     * Upper bounds, in microseconds, of the exported publish-to-flush latency buckets: powers of
     * two from 128 us to 32 s (minus one microsecond, the bounds of fanout-sse's histogram, so
     * each cumulative count is exact).
     */
    static final long[] LATENCY_BOUNDS_MICROS;

    static {
        LATENCY_BOUNDS_MICROS = new long[19];
        for (int i = 0; i < LATENCY_BOUNDS_MICROS.length; i++) {
            LATENCY_BOUNDS_MICROS[i] = (1L << (i + 7)) - 1;
        }
    }

    AppMetrics(Hub<Snapshot> hub, ChangeFeed feed, SseHandler<Snapshot> stream, ConnectionGuard guard) {
        Recent<HubStats> hubStats = new Recent<>(hub::stats, STATS_WINDOW, System::nanoTime);
        for (Outcome o : Outcome.values()) {
            submissions.put(o, add(Counter.builder("leaderboard.submissions")
                    .description("POST /submit-game requests by outcome")
                    .tags(List.of(Tag.create("outcome", o.tag())))));
        }
        for (Op op : Op.values()) {
            latency.put(op, add(Timer.builder("leaderboard.store.latency")
                    .description("Store call latency by operation")
                    .tags(List.of(Tag.create("op", op.tag())))));
        }
        add(Gauge.builder("leaderboard.streams.open", stream, SseHandler::openConnections)
                .description("Open /stream-leaderboard connections"));
        add(FunctionalCounter.builder("leaderboard.snapshots.published", feed, ChangeFeed::published)
                .description("Snapshots the change feed published"));
        add(FunctionalCounter.builder("leaderboard.snapshots.unchanged", feed, ChangeFeed::unchanged)
                .description("Store reads whose top K had not changed, so nothing was published"));
        add(FunctionalCounter.builder("leaderboard.feed.failures", feed, ChangeFeed::failures)
                .description("Change feed reads that failed because the store was unavailable"));
        add(FunctionalCounter.builder("fanout.hub.published", hubStats, h -> h.get().published())
                .description("Messages the hub published"));
        add(FunctionalCounter.builder("fanout.hub.delivered", hubStats, h -> h.get().delivered())
                .description("Messages subscribers took from the hub"));
        add(Gauge.builder("fanout.hub.subscribers", hubStats, h -> h.get().subscribers())
                .description("Subscriptions attached to the hub"));
        for (DropCause cause : DropCause.values()) {
            add(FunctionalCounter.builder("fanout.hub.dropped", hubStats, h -> h.get().dropped(cause))
                    .description("Messages the hub dropped, by cause")
                    .tags(List.of(Tag.create("cause", cause.name().toLowerCase(Locale.ROOT)))));
        }
        sse(stream);
        add(Gauge.builder("fanout.connections.open", guard, ConnectionGuard::openConnections)
                .description("Connections open on the guarded listener"));
        for (ConnectionGuard.Reason reason : ConnectionGuard.Reason.values()) {
            add(FunctionalCounter.builder("fanout.connections.closed", guard, g -> g.closed(reason))
                    .description("Connections the guard closed, by reason")
                    .tags(List.of(Tag.create("reason", reason.name().toLowerCase(Locale.ROOT)))));
        }
    }

    /**
     * fanout-sse's {@link SseStats} as {@code fanout_sse_*}. The publish-to-flush latency is
     * fanout-sse's own lock-free histogram; Helidon's metrics API has no meter that exports an
     * existing histogram, so it is exported as gauges of cumulative counts in the Prometheus
     * histogram layout: {@code fanout_sse_latency_seconds_bucket{le}} (19 bounds, 128 us to 32 s,
     * and {@code +Inf}) and {@code fanout_sse_latency_seconds_count}, which
     * {@code histogram_quantile(0.99, sum by (le) (rate(fanout_sse_latency_seconds_bucket[5m])))}
     * reads. The meters share one {@link SseHandler#stats()} per {@link #STATS_WINDOW} (it walks
     * the open connections' drop counters), which also makes one scrape's buckets and count agree.
     */
    private void sse(SseHandler<Snapshot> handler) {
        Recent<SseStats> stream = new Recent<>(handler::stats, STATS_WINDOW, System::nanoTime);
        add(Gauge.builder("fanout.sse.connections.open", handler, SseHandler::openConnections)
                .description("Open SSE streams"));
        counter(stream, "fanout.sse.accepted", "SSE streams opened", SseStats::accepted);
        counter(stream, "fanout.sse.rejected", "SSE requests refused with 503 by admission control", SseStats::rejected);
        counter(stream, "fanout.sse.resumed", "SSE streams that came with a Last-Event-ID", SseStats::resumed);
        counter(stream, "fanout.sse.resume.gaps", "Resumed SSE streams that got the current state instead of"
                + " continuing where they left off", SseStats::resumeGaps);
        counter(stream, "fanout.sse.events.written", "SSE events written and flushed, summed over streams",
                SseStats::eventsWritten);
        counter(stream, "fanout.sse.bytes.written", "Bytes written to SSE streams (events, heartbeats, retry hints)",
                SseStats::bytesWritten);
        counter(stream, "fanout.sse.heartbeats", "Heartbeat comments written", SseStats::heartbeats);
        counter(stream, "fanout.sse.frames.encoded", "SSE events encoded to bytes (once per message)",
                SseStats::framesEncoded);
        counter(stream, "fanout.sse.events.failed", "Messages the event mapper failed on, sent to no stream",
                SseStats::eventsFailed);
        counter(stream, "fanout.sse.dropped", "Messages a stream's overflow strategy discarded (latest-only:"
                + " superseded)", SseStats::dropped);
        for (SseDisconnect cause : SseDisconnect.values()) {
            add(FunctionalCounter.builder("fanout.sse.disconnects", stream, h -> h.get().disconnects(cause))
                    .description("Ended SSE streams by cause")
                    .tags(List.of(Tag.create("cause", cause.name().toLowerCase(Locale.ROOT)))));
        }
        for (long bound : LATENCY_BOUNDS_MICROS) {
            add(Gauge.builder("fanout.sse.latency.seconds.bucket", stream,
                            h -> h.get().latency().cumulativeMicros().get(bound))
                    .description("SSE publish-to-flush latency: events flushed within le seconds (cumulative)")
                    .tags(List.of(Tag.create("le", le(bound)))));
        }
        add(Gauge.builder("fanout.sse.latency.seconds.bucket", stream, h -> h.get().latency().count())
                .description("SSE publish-to-flush latency: events flushed within le seconds (cumulative)")
                .tags(List.of(Tag.create("le", "+Inf"))));
        add(Gauge.builder("fanout.sse.latency.seconds.count", stream, h -> h.get().latency().count())
                .description("SSE events whose publish-to-flush latency was recorded"));
    }

    /** The {@code le} label of a bucket bound: seconds, as Prometheus writes them. */
    static String le(long micros) {
        return java.math.BigDecimal.valueOf(micros + 1, 6).stripTrailingZeros().toPlainString();
    }

    private void counter(Recent<SseStats> stream, String name, String description, ToLongFunction<SseStats> value) {
        add(FunctionalCounter.builder(name, stream, h -> value.applyAsLong(h.get())).description(description));
    }

    /**
     * A value taken from its source at most once per window and shared in between: the meters of
     * one scrape read the same stats instead of each walking every connection.
     *
     * @param <T> the value
     */
    static final class Recent<T> implements Supplier<T> {
        private final Supplier<T> source;
        private final long windowNanos;
        private final LongSupplier nanoClock;
        private T value;
        private long takenAt;

        Recent(Supplier<T> source, Duration window, LongSupplier nanoClock) {
            this.source = source;
            this.windowNanos = window.toNanos();
            this.nanoClock = nanoClock;
        }

        @Override
        public synchronized T get() {
            long now = nanoClock.getAsLong();
            if (value == null || now - takenAt >= windowNanos) {
                value = source.get();
                takenAt = now;
            }
            return value;
        }
    }

    private <B extends Meter.Builder<B, M>, M extends Meter> M add(B builder) {
        M m = registry.getOrCreate(builder);
        synchronized (meters) {
            meters.add(m);
        }
        return m;
    }

    void submission(Outcome outcome) {
        submissions.get(outcome).increment();
    }

    void storeLatency(Op op, long startNanos) {
        latency.get(op).record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    @Override
    public void close() {
        synchronized (meters) {
            for (Meter m : meters) {
                registry.remove(m);
            }
            meters.clear();
        }
    }
}
