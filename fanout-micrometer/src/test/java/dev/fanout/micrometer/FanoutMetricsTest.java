package dev.fanout.micrometer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.DropCause;
import dev.fanout.Hub;
import dev.fanout.HubStats;
import dev.fanout.Overflow;
import dev.fanout.Pacer;
import dev.fanout.PullSubscription;
import dev.fanout.PushSubscription;
import dev.fanout.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link FanoutMetrics} on real hubs, read through a {@link SimpleMeterRegistry}. */
class FanoutMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static double counter(MeterRegistry registry, String name, String... tags) {
        FunctionCounter c = registry.find(name).tags(tags).functionCounter();
        assertTrue(c != null, name + " " + String.join(",", tags) + " is not registered");
        return c.count();
    }

    static double gauge(MeterRegistry registry, String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        assertTrue(g != null, name + " " + String.join(",", tags) + " is not registered");
        return g.value();
    }

    @Test
    void hubMeters_countPublishesDropsDisconnectsAndHandlerErrors() throws Exception {
        try (Hub<Integer> hub = Hub.<Integer>builder().name("scores").capacity(4).build();
             FanoutMetrics metrics = FanoutMetrics.of(hub, "scores", Tags.of("app", "test"))) {
            metrics.bindTo(registry);
            PullSubscription<Integer> keeper = hub.subscribe(Overflow.dropNewest());
            PullSubscription<Integer> slow = hub.subscribe(Overflow.disconnect());
            AtomicInteger handled = new AtomicInteger();
            PushSubscription<Integer> failing = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(30)), (seq, m) -> {
                handled.incrementAndGet();
                if (m % 2 == 0) {
                    throw new IllegalStateException("handler bug on " + m);
                }
            });
            for (int i = 1; i <= 6; i++) {
                hub.publish(i);
            }
            keeper.poll();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hub.stats().delivered() < 7 && System.nanoTime() < deadline) {
                Thread.sleep(5); // the push handler runs on its own thread
            }
            HubStats truth = hub.stats();
            String[] t = {"hub", "scores", "app", "test"};
            assertAll(truth::toString,
                    () -> assertEquals(6, counter(registry, "fanout.hub.published", t)),
                    () -> assertEquals(truth.offered(), counter(registry, "fanout.hub.offered", t)),
                    () -> assertEquals(6 + 5 + 6, truth.offered(), "keeper 6 (2 dropped) + slow 5 (the 5th found it full) + push 6"),
                    () -> assertEquals(1 + 6, counter(registry, "fanout.hub.delivered", t), "keeper took 1, the handler 6"),
                    () -> assertEquals(2, counter(registry, "fanout.hub.dropped", "cause", "newest", "hub", "scores")),
                    () -> assertEquals(5, counter(registry, "fanout.hub.dropped", "cause", "disconnected", "hub", "scores")),
                    () -> assertEquals(0, counter(registry, "fanout.hub.dropped", "cause", "oldest", "hub", "scores")),
                    () -> assertEquals(1, counter(registry, "fanout.hub.disconnects", t)),
                    () -> assertEquals(3, counter(registry, "fanout.hub.subscribed", t)),
                    () -> assertEquals(3, counter(registry, "fanout.hub.handler.errors", t), "messages 2, 4 and 6"),
                    () -> assertEquals(2, gauge(registry, "fanout.hub.subscribers", t), "keeper and the push one"),
                    () -> assertEquals(3, gauge(registry, "fanout.hub.depth", t), "keeper holds 3"),
                    () -> assertEquals(3, gauge(registry, "fanout.hub.depth.max", t)),
                    () -> assertEquals(5, gauge(registry, "fanout.hub.lag", t), "keeper took 1 of 6, the push one all"),
                    () -> assertEquals(5, gauge(registry, "fanout.hub.lag.max", t)),
                    () -> assertNull(registry.find("fanout.hub.pacer.rate").meter(), "no pacer, no pacer meters"),
                    () -> assertNull(registry.find("fanout.hub.topics").meter(), "a hub is no Topics"));
            assertEquals(DropCause.values().length, registry.find("fanout.hub.dropped").functionCounters().size(),
                    "one counter per cause");
            failing.close();
            slow.close();
        }
    }

    @Test
    void aScrapeTakesOneSnapshot_theNextWindowAFreshOne() {
        AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 10); // any origin: the window is a difference
        AtomicInteger snapshots = new AtomicInteger();
        try (Hub<String> hub = Hub.<String>builder().build();
             FanoutMetrics metrics = new FanoutMetrics(() -> {
                 snapshots.incrementAndGet();
                 return hub.stats();
             }, null, null, "h", Tags.empty(), clock::get)) {
            metrics.bindTo(registry);
            hub.publish("a");
            registry.getMeters().forEach(m -> m.measure().forEach(x -> x.getValue())); // one scrape
            assertEquals(1, snapshots.get(), "every meter of a scrape shares one snapshot");
            assertEquals(1, counter(registry, "fanout.hub.published"));

            hub.publish("b");
            clock.addAndGet(Recent.WINDOW_NANOS - 1);
            assertEquals(1, counter(registry, "fanout.hub.published"), "still the window's snapshot");
            clock.addAndGet(1);
            assertEquals(2, counter(registry, "fanout.hub.published"), "a new window, a fresh snapshot");
            assertEquals(2, snapshots.get());
        }
    }

    @Test
    void pacerMeters_readThePacerLive() {
        Pacer pacer = Pacer.aimd().initialRate(500).build();
        try (Hub<String> hub = Hub.<String>builder().pacer(pacer).build();
             FanoutMetrics metrics = FanoutMetrics.of(hub, "paced")) {
            metrics.bindTo(registry);
            assertEquals(500, gauge(registry, "fanout.hub.pacer.rate", "hub", "paced"));
            assertEquals(pacer.decreases(), counter(registry, "fanout.hub.pacer.decreases", "hub", "paced"));
            assertEquals(pacer.increases(), counter(registry, "fanout.hub.pacer.increases", "hub", "paced"));
        }
    }

    @Test
    void topicsMeters_sumTheHubs_andKeepWhatReclaimedOnesCounted() {
        AtomicLong clock = new AtomicLong();
        try (Topics<String, String> topics = Topics.<String, String>builder(() -> Hub.<String>builder().build())
                .idleTimeout(Duration.ZERO).build();
             FanoutMetrics metrics = new FanoutMetrics(topics::stats, null, topics, "boards", Tags.empty(), clock::get)) {
            metrics.bindTo(registry);
            PullSubscription<String> a = topics.subscribe("a", b -> b.overflow(Overflow.latestOnly()));
            topics.publish("a", "1");
            topics.publish("a", "2"); // supersedes 1
            topics.publish("b", "1");
            assertAll(
                    () -> assertEquals(3, counter(registry, "fanout.hub.published", "hub", "boards")),
                    () -> assertEquals(1, counter(registry, "fanout.hub.dropped", "cause", "superseded")),
                    () -> assertEquals(2, gauge(registry, "fanout.hub.topics")),
                    () -> assertEquals(1, gauge(registry, "fanout.hub.subscribers")));

            assertEquals(1, topics.reclaimIdle(), "b, with no subscriber");
            a.close();
            assertEquals(1, topics.reclaimIdle(), "a, idle now");
            clock.addAndGet(Recent.WINDOW_NANOS);
            assertAll(
                    () -> assertEquals(3, counter(registry, "fanout.hub.published"), "kept after the reclaim"),
                    () -> assertEquals(1, counter(registry, "fanout.hub.dropped", "cause", "superseded")),
                    () -> assertEquals(1, counter(registry, "fanout.hub.dropped", "cause", "closed"), "what a held"),
                    () -> assertEquals(0, gauge(registry, "fanout.hub.topics")),
                    () -> assertEquals(0, gauge(registry, "fanout.hub.subscribers")));
        }
    }

    @Test
    void prometheusNames_areTheDottedNamesWithUnderscores() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Hub<String> hub = Hub.<String>builder().build();
             FanoutMetrics metrics = FanoutMetrics.of(hub, "prices")) {
            metrics.bindTo(prometheus);
            PullSubscription<String> s = hub.subscribe(Overflow.latestOnly());
            hub.publish("x");
            hub.publish("y");
            String text = prometheus.scrape();
            for (String line : new String[] {
                    "fanout_hub_published_total{hub=\"prices\"} 2.0",
                    "fanout_hub_dropped_total{cause=\"superseded\",hub=\"prices\"} 1.0",
                    "fanout_hub_handler_errors_total{hub=\"prices\"} 0.0",
                    "fanout_hub_subscribers{hub=\"prices\"} 1.0",
                    "fanout_hub_depth_max{hub=\"prices\"} 1.0",
                    "fanout_hub_lag_max{hub=\"prices\"} 2.0"}) {
                assertTrue(text.lines().anyMatch(line::equals), line + " in\n" + text);
            }
            s.close();
        }
    }

    @Test
    void close_removesTheMetersFromEveryRegistry() {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        try (Hub<String> hub = Hub.<String>builder().build()) {
            FanoutMetrics metrics = FanoutMetrics.of(hub, "h");
            metrics.bindTo(registry);
            metrics.bindTo(other);
            assertTrue(registry.getMeters().size() >= 15);
            assertEquals(registry.getMeters().size(), other.getMeters().size());
            metrics.close();
            metrics.close();
            assertEquals(0, registry.getMeters().size());
            assertEquals(0, other.getMeters().size());
            assertThrows(IllegalStateException.class, () -> metrics.bindTo(registry));
        }
    }
}
