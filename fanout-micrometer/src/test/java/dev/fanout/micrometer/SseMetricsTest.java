package dev.fanout.micrometer;

import static dev.fanout.micrometer.FanoutMetricsTest.counter;
import static dev.fanout.micrometer.FanoutMetricsTest.gauge;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import dev.fanout.sse.SseDisconnect;
import dev.fanout.sse.SseEvent;
import dev.fanout.sse.SseHandler;
import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SseMetrics} on a real fanout-sse endpoint, streamed to by a real HTTP client. */
class SseMetricsTest {

    private final Hub<SseEvent> hub = Hub.<SseEvent>builder().name("events").build();
    private final SseHandler<SseEvent> handler = SseHandler.builder(hub).heartbeat(Duration.ofMillis(100)).build();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private WebServer server;

    @BeforeEach
    void start() {
        server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.get("/events", handler)).build().start();
    }

    @AfterEach
    void stop() {
        handler.close();
        hub.close();
        server.stop();
    }

    /** An open stream: its {@code data:} lines, in order, read on a virtual thread. */
    private final class Stream implements AutoCloseable {
        final BlockingQueue<String> data = new LinkedBlockingQueue<>();
        final java.util.stream.Stream<String> lines;

        Stream() throws Exception {
            HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/events")).build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            lines = r.body();
            Thread.ofVirtual().start(() -> {
                try {
                    lines.filter(l -> l.startsWith("data:")).forEach(l -> data.add(l.substring(5).strip()));
                } catch (RuntimeException closed) {
                    // the test closed the stream
                }
            });
        }

        String next() throws InterruptedException {
            String d = data.poll(10, TimeUnit.SECONDS);
            assertTrue(d != null, "no event within 10 s");
            return d;
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    @SuppressWarnings("try") // a is closed early on purpose: a client that goes away
    void countersAndTheLatencyTimer_followTheEndpoint() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong clock = new AtomicLong();
        try (SseMetrics metrics = new SseMetrics(handler, "board", Tags.empty(), new Duration[0], clock::get)) {
            metrics.bindTo(registry);
            Timer latency = registry.find("fanout.sse.latency").tag("endpoint", "board").timer();
            assertTrue(latency != null, "the timer is registered");
            try (Stream a = new Stream(); Stream b = new Stream()) {
                await(() -> hub.subscriberCount() == 2, "two subscribers");
                for (int i = 0; i < 3; i++) {
                    hub.publish(SseEvent.of("live " + i));
                    assertEquals("live " + i, a.next());
                    assertEquals("live " + i, b.next());
                }
                await(() -> latency.count() == 6, "6 samples, got " + latency.count()); // recorded after each flush
                assertEquals(handler.stats().latency().count(), latency.count(), "the timer saw every sample the stats did");
                assertTrue(latency.totalTime(TimeUnit.NANOSECONDS) > 0);
                assertAll(
                        () -> assertEquals(2, gauge(registry, "fanout.sse.connections.open", "endpoint", "board")),
                        () -> assertEquals(2, counter(registry, "fanout.sse.accepted", "endpoint", "board")),
                        () -> assertEquals(6, counter(registry, "fanout.sse.events.written")),
                        () -> assertEquals(3, counter(registry, "fanout.sse.frames.encoded"), "encoded once per message"),
                        () -> assertEquals(0, counter(registry, "fanout.sse.rejected")),
                        () -> assertEquals(0, counter(registry, "fanout.sse.disconnects", "cause", "client_gone")));

                a.close();
                await(() -> handler.stats().disconnects(SseDisconnect.CLIENT_GONE) == 1, "the gone client noticed");
                clock.addAndGet(Recent.WINDOW_NANOS);
                assertEquals(1, counter(registry, "fanout.sse.disconnects", "cause", "client_gone"));
                assertEquals(1, gauge(registry, "fanout.sse.connections.open"));
            }
        }
    }

    @Test
    void prometheusText_hasTheHistogramBucketsAndTheServiceLevelObjective() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SseMetrics metrics = SseMetrics.of(handler, "board", Tags.of("app", "test"), Duration.ofMillis(250));
             Stream a = new Stream()) {
            metrics.bindTo(prometheus);
            await(() -> hub.subscriberCount() == 1, "a subscriber");
            hub.publish(SseEvent.of("x"));
            assertEquals("x", a.next());
            await(() -> prometheus.find("fanout.sse.latency").timer().count() == 1, "a sample");
            String text = prometheus.scrape();
            assertAll(
                    () -> assertTrue(text.contains("fanout_sse_latency_seconds_bucket{app=\"test\",endpoint=\"board\",le=\"0.25\"} 1"),
                            "the SLO bucket in\n" + text),
                    () -> assertTrue(text.contains("fanout_sse_latency_seconds_count{app=\"test\",endpoint=\"board\"} 1"), text),
                    () -> assertTrue(text.contains("fanout_sse_latency_seconds_max{app=\"test\",endpoint=\"board\"}"), text),
                    () -> assertTrue(text.lines().filter(l -> l.startsWith("fanout_sse_latency_seconds_bucket")).count() > 20,
                            "a percentile histogram, not only the SLO"),
                    () -> assertTrue(text.contains("fanout_sse_accepted_total{app=\"test\",endpoint=\"board\"} 1.0"), text),
                    () -> assertTrue(text.contains("fanout_sse_disconnects_total{app=\"test\",cause=\"stalled\",endpoint=\"board\"} 0.0"), text));
        }
    }

    @Test
    void close_detachesTheTimer_andRemovesTheMeters() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SseMetrics metrics = SseMetrics.of(handler, "board");
        metrics.bindTo(registry);
        Timer latency = registry.find("fanout.sse.latency").timer();
        try (Stream a = new Stream()) {
            await(() -> hub.subscriberCount() == 1, "a subscriber");
            hub.publish(SseEvent.of("timed"));
            assertEquals("timed", a.next());
            await(() -> latency.count() == 1, "a sample");
            metrics.close();
            assertEquals(0, registry.getMeters().size());
            hub.publish(SseEvent.of("untimed"));
            assertEquals("untimed", a.next());
            await(() -> handler.stats().latency().count() == 2, "the handler's own sample");
            assertEquals(1, latency.count(), "a closed binder's timer gets no more samples");
        }
        assertThrows(IllegalStateException.class, () -> metrics.bindTo(registry));
        assertThrows(IllegalArgumentException.class, () -> SseMetrics.of(handler, "x", Tags.empty(), Duration.ZERO));
    }
}
