package dev.fanout.micrometer;

import dev.fanout.DropCause;
import dev.fanout.Hub;
import dev.fanout.HubStats;
import dev.fanout.Pacer;
import dev.fanout.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds a {@link Hub}'s statistics, or a {@link Topics} registry's summed over its hubs, to a
 * Micrometer registry, tagged {@code hub=}<i>name</i> plus any tags given:
 *
 * {@snippet file="dev/fanout/micrometer/MicrometerExample.java" region="hub"}
 *
 * <table class="striped">
 * <caption>Meters (Prometheus names in brackets)</caption>
 * <thead><tr><th>meter</th><th>type</th><th>what</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fanout.hub.published} ({@code fanout_hub_published_total})</td><td>counter</td>
 *     <td>messages published: {@link HubStats#published()}</td></tr>
 * <tr><td>{@code fanout.hub.offered}</td><td>counter</td>
 *     <td>offers to subscriptions, summed: {@link HubStats#offered()}</td></tr>
 * <tr><td>{@code fanout.hub.delivered}</td><td>counter</td>
 *     <td>messages consumers took: {@link HubStats#delivered()}</td></tr>
 * <tr><td>{@code fanout.hub.dropped{cause}}</td><td>counter</td>
 *     <td>drops by {@link DropCause}, {@code cause} in lower case ({@code oldest}, {@code newest},
 *     {@code superseded}, {@code timeout}, {@code disconnected}, {@code closed})</td></tr>
 * <tr><td>{@code fanout.hub.disconnects}</td><td>counter</td>
 *     <td>subscriptions closed as too slow: {@link HubStats#disconnects()}</td></tr>
 * <tr><td>{@code fanout.hub.subscribed}</td><td>counter</td>
 *     <td>subscriptions ever attached</td></tr>
 * <tr><td>{@code fanout.hub.handler.errors}</td><td>counter</td>
 *     <td>push handlers' and key functions' exceptions: {@link HubStats#handlerErrors()}</td></tr>
 * <tr><td>{@code fanout.hub.subscribers}</td><td>gauge</td><td>subscriptions attached now</td></tr>
 * <tr><td>{@code fanout.hub.depth}, {@code fanout.hub.depth.max}</td><td>gauge</td>
 *     <td>messages held by the attached subscriptions, summed and the largest</td></tr>
 * <tr><td>{@code fanout.hub.lag}, {@code fanout.hub.lag.max}</td><td>gauge</td>
 *     <td>how far consumers are behind the last publish in sequence numbers, summed and the largest</td></tr>
 * <tr><td>{@code fanout.hub.pacer.rate}</td><td>gauge</td>
 *     <td>a hub with a {@link Pacer} only: the rate it asks of producers, messages per second</td></tr>
 * <tr><td>{@code fanout.hub.pacer.decreases}, {@code fanout.hub.pacer.increases}</td><td>counter</td>
 *     <td>a hub with a {@link Pacer} only: how often it cut and raised the rate</td></tr>
 * <tr><td>{@code fanout.hub.topics}</td><td>gauge</td><td>a {@link Topics} only: its live topics</td></tr>
 * </tbody>
 * </table>
 *
 * <p>For a {@link Topics} every value is {@link Topics#stats()}: the counters never go down as
 * topics are reclaimed. Its hubs' pacers, if any, are not bound.
 *
 * <p>The values come from one {@link Hub#stats()} (or {@link Topics#stats()}) taken at most
 * once per 100 ms, or ten times the last walk if that is longer, and shared by every meter: a
 * scrape walks the subscriptions once, not once per meter, and its values agree with each other. The pacer's values are read live.
 *
 * <p>Thread-safe: {@link #bindTo} may be called for several registries, from any thread. The
 * meters hold the hub (or registry) strongly; {@link #close()} removes them from every registry
 * this binder was bound to.
 */
public final class FanoutMetrics implements MeterBinder, AutoCloseable {

    private final Recent<HubStats> stats;
    private final Pacer pacer;
    private final Topics<?, ?> topics;
    private final String name;
    private final Tags tags;
    private final Binding binding = new Binding();

    FanoutMetrics(Supplier<HubStats> stats, Pacer pacer, Topics<?, ?> topics, String name, Iterable<Tag> tags,
                  LongSupplier nanoClock) {
        this.stats = new Recent<>(stats, Recent.WINDOW_NANOS, nanoClock);
        this.pacer = pacer;
        this.topics = topics;
        this.name = Objects.requireNonNull(name, "name");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("hub", name);
    }

    /**
     * A binder for a hub's meters, tagged {@code hub=}<i>name</i>.
     *
     * @param hub  the hub
     * @param name its {@code hub} tag
     * @return a binder for the hub's meters
     */
    public static FanoutMetrics of(Hub<?> hub, String name) {
        return of(hub, name, Tags.empty());
    }

    /**
     * A binder for a hub's meters, tagged {@code hub=}<i>name</i> and {@code tags}.
     *
     * @param hub  the hub
     * @param name its {@code hub} tag
     * @param tags more tags for every meter
     * @return a binder for the hub's meters
     */
    public static FanoutMetrics of(Hub<?> hub, String name, Iterable<Tag> tags) {
        Objects.requireNonNull(hub, "hub");
        return new FanoutMetrics(hub::stats, hub.pacer().orElse(null), null, name, tags, System::nanoTime);
    }

    /**
     * A binder for a topic registry's meters, summed over its hubs ({@link Topics#stats()}),
     * tagged {@code hub=}<i>name</i>.
     *
     * @param topics the registry
     * @param name   its {@code hub} tag
     * @return a binder for the registry's meters, summed over its hubs
     */
    public static FanoutMetrics of(Topics<?, ?> topics, String name) {
        return of(topics, name, Tags.empty());
    }

    /**
     * A binder for a topic registry's meters, summed over its hubs ({@link Topics#stats()}),
     * tagged {@code hub=}<i>name</i> and {@code tags}.
     *
     * @param topics the registry
     * @param name   its {@code hub} tag
     * @param tags   more tags for every meter
     * @return a binder for the registry's meters, summed over its hubs
     */
    public static FanoutMetrics of(Topics<?, ?> topics, String name, Iterable<Tag> tags) {
        Objects.requireNonNull(topics, "topics");
        return new FanoutMetrics(topics::stats, null, topics, name, tags, System::nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        binding.checkOpen(this);
        counter(registry, "fanout.hub.published", "Messages the hub published", HubStats::published);
        counter(registry, "fanout.hub.offered", "Messages offered to subscriptions, summed over them (replays included)",
                HubStats::offered);
        counter(registry, "fanout.hub.delivered", "Messages consumers took from the hub, summed over subscriptions",
                HubStats::delivered);
        for (DropCause cause : DropCause.values()) {
            binding.add(registry, FunctionCounter.builder("fanout.hub.dropped", stats, s -> s.get().dropped(cause))
                    .description("Messages that did not reach a subscriber, by cause")
                    .tags(tags).tag("cause", cause.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        counter(registry, "fanout.hub.disconnects", "Subscriptions closed because they were too slow",
                HubStats::disconnects);
        counter(registry, "fanout.hub.subscribed", "Subscriptions ever attached", HubStats::subscribed);
        counter(registry, "fanout.hub.handler.errors", "Exceptions thrown by push handlers and key functions",
                HubStats::handlerErrors);
        // the gauges hold the shared snapshot strongly; the counters' weak references to it
        // (Micrometer's default for function counters) stay valid while they are registered
        gauge(registry, "fanout.hub.subscribers", "Subscriptions attached now", s -> s.get().subscribers());
        gauge(registry, "fanout.hub.depth", "Messages held by the attached subscriptions, summed",
                s -> s.get().depth());
        gauge(registry, "fanout.hub.depth.max", "Messages held by the fullest attached subscription",
                s -> s.get().maxDepth());
        gauge(registry, "fanout.hub.lag", "Sequence numbers the attached subscriptions' consumers are behind"
                + " the last publish, summed", s -> s.get().lag());
        gauge(registry, "fanout.hub.lag.max", "Sequence numbers the furthest-behind consumer is behind the last publish",
                s -> s.get().maxLag());
        if (pacer != null) {
            binding.add(registry, Gauge.builder("fanout.hub.pacer.rate", pacer, Pacer::rate)
                    .description("The rate the pacer asks of producers, messages per second")
                    .tags(tags).strongReference(true).register(registry));
            binding.add(registry, FunctionCounter.builder("fanout.hub.pacer.decreases", pacer, p -> p.decreases())
                    .description("Times the pacer cut the rate").tags(tags).register(registry));
            binding.add(registry, FunctionCounter.builder("fanout.hub.pacer.increases", pacer, p -> p.increases())
                    .description("Times the pacer raised the rate").tags(tags).register(registry));
        }
        if (topics != null) {
            binding.add(registry, Gauge.builder("fanout.hub.topics", topics, Topics::size)
                    .description("Live topics of the registry").tags(tags).strongReference(true).register(registry));
        }
    }

    private void counter(MeterRegistry registry, String meter, String description, ToLongFunction<HubStats> value) {
        binding.add(registry, FunctionCounter.builder(meter, stats, s -> value.applyAsLong(s.get()))
                .description(description).tags(tags).register(registry));
    }

    private void gauge(MeterRegistry registry, String meter, String description, ToDoubleFunction<Recent<HubStats>> value) {
        binding.add(registry, Gauge.builder(meter, stats, value)
                .description(description).tags(tags).strongReference(true).register(registry));
    }

    /** Removes the meters from every registry this binder was bound to. Idempotent. */
    @Override
    public void close() {
        binding.close();
    }

    @Override
    public String toString() {
        return "FanoutMetrics[" + name + "]";
    }
}
