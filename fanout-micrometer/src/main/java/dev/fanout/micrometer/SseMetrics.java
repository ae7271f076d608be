package dev.fanout.micrometer;

import dev.fanout.sse.SseDisconnect;
import dev.fanout.sse.SseHandler;
import dev.fanout.sse.SseStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Binds a fanout-sse {@link SseHandler}'s statistics to a Micrometer registry, tagged
 * {@code endpoint=}<i>name</i> plus any tags given, and times its publish-to-flush latency with
 * a real {@link Timer}. Needs fanout-sse, an optional dependency of this module:
 *
 * {@snippet file="dev/fanout/micrometer/MicrometerExample.java" region="sse"}
 *
 * <table class="striped">
 * <caption>Meters (Prometheus names in brackets)</caption>
 * <thead><tr><th>meter</th><th>type</th><th>what ({@link SseStats})</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fanout.sse.connections.open}</td><td>gauge</td><td>streams open now</td></tr>
 * <tr><td>{@code fanout.sse.accepted} ({@code fanout_sse_accepted_total})</td><td>counter</td>
 *     <td>streams opened</td></tr>
 * <tr><td>{@code fanout.sse.rejected}</td><td>counter</td><td>requests refused with 503 by admission control</td></tr>
 * <tr><td>{@code fanout.sse.resumed}, {@code fanout.sse.resume.gaps}</td><td>counter</td>
 *     <td>streams that came with a {@code Last-Event-ID}; those that got the current state instead</td></tr>
 * <tr><td>{@code fanout.sse.events.written}, {@code fanout.sse.bytes.written}</td><td>counter</td>
 *     <td>events and bytes written and flushed, summed over streams</td></tr>
 * <tr><td>{@code fanout.sse.heartbeats}</td><td>counter</td><td>heartbeat comments written</td></tr>
 * <tr><td>{@code fanout.sse.frames.encoded}</td><td>counter</td><td>events encoded (once per message)</td></tr>
 * <tr><td>{@code fanout.sse.events.failed}</td><td>counter</td><td>messages the event mapper failed on</td></tr>
 * <tr><td>{@code fanout.sse.dropped}</td><td>counter</td><td>messages the streams' overflow strategy discarded</td></tr>
 * <tr><td>{@code fanout.sse.disconnects{cause}}</td><td>counter</td>
 *     <td>ended streams by {@link SseDisconnect}, in lower case</td></tr>
 * <tr><td>{@code fanout.sse.latency} ({@code fanout_sse_latency_seconds_bucket{le}}, {@code _count},
 *     {@code _sum}, {@code _max})</td><td>timer</td>
 *     <td>publish-to-flush latency of live events, one sample per event per stream</td></tr>
 * </tbody>
 * </table>
 *
 * <p>The timer publishes a percentile histogram (buckets from 100 µs to 30 s, which
 * {@code histogram_quantile} aggregates across instances) plus a bucket at each service-level
 * objective given; a {@link io.micrometer.core.instrument.config.MeterFilter} may change its
 * distribution as for any timer. It receives each sample through
 * {@link SseHandler#addLatencyListener}, from the moment it is bound: unlike
 * {@link SseStats#latency()}, it does not hold what was flushed before.
 *
 * <p>The counters come from one {@link SseHandler#stats()} (which walks the open streams) taken
 * at most once per 100 ms, or ten times the last walk if that is longer, and shared by every
 * meter; the open-streams gauge is read live.
 *
 * <p>Thread-safe: {@link #bindTo} may be called for several registries, from any thread. The
 * meters hold the handler strongly; {@link #close()} removes them from every registry and
 * detaches the timers from the handler.
 */
public final class SseMetrics implements MeterBinder, AutoCloseable {
    private static final Duration MIN_LATENCY = Duration.ofNanos(100_000);
    private static final Duration MAX_LATENCY = Duration.ofSeconds(30);

    private final SseHandler<?> handler;
    private final Recent<SseStats> stats;
    private final String name;
    private final Tags tags;
    private final Duration[] slos;
    private final Binding binding = new Binding();

    SseMetrics(SseHandler<?> handler, String name, Iterable<Tag> tags, Duration[] slos, LongSupplier nanoClock) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.stats = new Recent<>(handler::stats, Recent.WINDOW_NANOS, nanoClock);
        this.name = Objects.requireNonNull(name, "name");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("endpoint", name);
        this.slos = slos.clone();
        for (Duration d : this.slos) {
            if (Objects.requireNonNull(d, "serviceLevelObjectives").isNegative() || d.isZero()) {
                throw new IllegalArgumentException("serviceLevelObjectives: " + d + " (expected: > 0)");
            }
        }
    }

    /**
     * A binder for an SSE endpoint's meters, tagged {@code endpoint=}<i>name</i>, its latency
     * timer with the percentile histogram only.
     *
     * @param handler the endpoint
     * @param name    its {@code endpoint} tag
     * @return a binder for the endpoint's meters
     */
    public static SseMetrics of(SseHandler<?> handler, String name) {
        return new SseMetrics(handler, name, Tags.empty(), new Duration[0], System::nanoTime);
    }

    /**
     * A binder for an SSE endpoint's meters, tagged {@code endpoint=}<i>name</i> and
     * {@code tags}, its latency timer with a bucket at each service-level objective besides the
     * percentile histogram.
     *
     * @param handler                the endpoint
     * @param name                   its {@code endpoint} tag
     * @param tags                   more tags for every meter
     * @param serviceLevelObjectives latencies to count exactly, as histogram buckets of their own
     *                               (a latency target of 250 ms, say), each positive
     * @return a binder for the endpoint's meters
     */
    public static SseMetrics of(SseHandler<?> handler, String name, Iterable<Tag> tags, Duration... serviceLevelObjectives) {
        return new SseMetrics(handler, name, tags, serviceLevelObjectives, System::nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        binding.checkOpen(this);
        // holds the shared snapshot strongly: the counters' weak references to it stay valid
        binding.add(registry, Gauge.builder("fanout.sse.connections.open", stats, s -> handler.openConnections())
                .description("Open SSE streams").tags(tags).strongReference(true).register(registry));
        counter(registry, "fanout.sse.accepted", "SSE streams opened", SseStats::accepted);
        counter(registry, "fanout.sse.rejected", "SSE requests refused with 503 by admission control", SseStats::rejected);
        counter(registry, "fanout.sse.resumed", "SSE streams that came with a Last-Event-ID", SseStats::resumed);
        counter(registry, "fanout.sse.resume.gaps", "Resumed SSE streams that got the current state instead of"
                + " continuing where they left off", SseStats::resumeGaps);
        counter(registry, "fanout.sse.events.written", "SSE events written and flushed, summed over streams",
                SseStats::eventsWritten);
        counter(registry, "fanout.sse.bytes.written", "Bytes written to SSE streams (events, heartbeats, retry hints)",
                SseStats::bytesWritten);
        counter(registry, "fanout.sse.heartbeats", "Heartbeat comments written", SseStats::heartbeats);
        counter(registry, "fanout.sse.frames.encoded", "SSE events encoded to bytes (once per message)",
                SseStats::framesEncoded);
        counter(registry, "fanout.sse.events.failed", "Messages the event mapper failed on, sent to no stream",
                SseStats::eventsFailed);
        counter(registry, "fanout.sse.dropped", "Messages a stream's overflow strategy discarded", SseStats::dropped);
        for (SseDisconnect cause : SseDisconnect.values()) {
            binding.add(registry, FunctionCounter.builder("fanout.sse.disconnects", stats, s -> s.get().disconnects(cause))
                    .description("Ended SSE streams by cause")
                    .tags(tags).tag("cause", cause.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        Timer latency = binding.add(registry, Timer.builder("fanout.sse.latency")
                .description("SSE publish-to-flush latency of live events, per event per stream")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(MIN_LATENCY)
                .maximumExpectedValue(MAX_LATENCY)
                .serviceLevelObjectives(slos)
                .register(registry));
        LongConsumer timing = nanos -> latency.record(nanos, TimeUnit.NANOSECONDS);
        handler.addLatencyListener(timing);
        binding.onClose(() -> handler.removeLatencyListener(timing));
    }

    private void counter(MeterRegistry registry, String meter, String description, ToLongFunction<SseStats> value) {
        binding.add(registry, FunctionCounter.builder(meter, stats, s -> value.applyAsLong(s.get()))
                .description(description).tags(tags).register(registry));
    }

    /** Detaches the timers from the handler and removes the meters from every registry. Idempotent. */
    @Override
    public void close() {
        binding.close();
    }

    @Override
    public String toString() {
        return "SseMetrics[" + name + "]";
    }
}
