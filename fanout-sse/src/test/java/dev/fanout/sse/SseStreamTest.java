package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

@ServerTest
class SseStreamTest {
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("stream-test").build();
    static final SseHandler<SseEvent> HANDLER = SseHandler.builder(HUB)
            .heartbeat(Duration.ofMillis(200))
            .retry(Duration.ofMillis(1000), Duration.ofMillis(500))
            .build();

    private final URI events;

    SseStreamTest(URI uri) {
        this.events = uri.resolve("/events");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/events", HANDLER);
    }

    private static void awaitSubscribers(int n) throws InterruptedException {
        Await.until(() -> HUB.stats().subscribers() >= n, () -> "subscribers " + HUB.stats().subscribers());
    }

    @Test
    void http1_streamsRetryHintLiveEventsAndHeartbeats() throws Exception {
        try (SseClient client = SseClient.open(events)) {
            assertEquals(200, client.response.statusCode());
            assertEquals("text/event-stream", client.response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("no-cache", client.response.headers().firstValue("Cache-Control").orElseThrow());
            int before = HUB.stats().subscribers();
            awaitSubscribers(1);
            for (int i = 1; i <= 3; i++) {
                long seq = HUB.publish(SseEvent.of("tick", "live " + i));
                SseParser.Event e = client.next();
                assertEquals(new SseParser.Event(HUB.epoch() + "-" + seq, "tick", "live " + i), e);
            }
            Await.until(() -> client.comments() >= 2, () -> "heartbeats " + client.comments());
            assertTrue(client.retry() >= 1000 && client.retry() <= 1500, "retry with jitter: " + client.retry());
            assertTrue(before >= 1);
        }
    }

    @Test
    void h2c_streamsOverHttp2() throws Exception {
        try (SseClient client = SseClient.open(SseClient.HTTP2, events, null)) {
            assertEquals(HttpClient.Version.HTTP_2, client.response.version());
            awaitSubscribers(1);
            long seq = HUB.publish(SseEvent.of("over h2"));
            SseParser.Event e = client.next();
            assertEquals(HUB.epoch() + "-" + seq, e.id());
            assertEquals("over h2", e.data());
            Await.until(() -> client.comments() >= 1, () -> "heartbeats over h2");
        }
    }

    @Test
    void encodingEdgeCases_arriveAsSent() throws Exception {
        try (SseClient client = SseClient.open(events)) {
            awaitSubscribers(1);
            String[] cases = {"line1\r\nline2\rline3\nline4", "", "ünïcödé ✓ 日本 \uD83D\uDE80", "trailing\n", " lead"};
            String[] expected = {"line1\nline2\nline3\nline4", "", "ünïcödé ✓ 日本 \uD83D\uDE80", "trailing\n", " lead"};
            for (int i = 0; i < cases.length; i++) {
                HUB.publish(SseEvent.of("case", cases[i]));
                SseParser.Event e = client.next();
                assertEquals("case", e.type());
                assertEquals(expected[i], e.data());
            }
        }
    }

    @Test
    void eachMessageIsEncodedOnce_forEveryConnection() throws Exception {
        List<SseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                clients.add(SseClient.open(events));
            }
            awaitSubscribers(20);
            SseStats before = HANDLER.stats();
            for (int m = 0; m < 5; m++) {
                HUB.publish(SseEvent.of("shared " + m));
                for (SseClient c : clients) {
                    assertEquals("shared " + m, c.next().data());
                }
            }
            SseStats after = HANDLER.stats();
            assertEquals(5, after.framesEncoded() - before.framesEncoded(), "encoded once per message");
            assertTrue(after.eventsWritten() - before.eventsWritten() >= 100, "written once per connection");
            assertTrue(after.latency().count() >= 100);
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void latencyListeners_getEveryLiveSample_aThrowingOneEndsNothing_aRemovedOneNoMore() throws Exception {
        List<Long> samples = new CopyOnWriteArrayList<>();
        LongConsumer recording = samples::add;
        LongConsumer throwing = nanos -> {
            throw new IllegalStateException("a listener's bug");
        };
        HANDLER.addLatencyListener(throwing);
        HANDLER.addLatencyListener(recording);
        try (SseClient a = SseClient.open(events); SseClient b = SseClient.open(events)) {
            awaitSubscribers(2);
            long before = HANDLER.stats().latency().count();
            for (int m = 0; m < 3; m++) {
                HUB.publish(SseEvent.of("timed " + m));
                assertEquals("timed " + m, a.next().data(), "the throwing listener ended no stream");
                assertEquals("timed " + m, b.next().data());
            }
            // recorded right after each flush, which the client may read first
            Await.until(() -> samples.size() >= 6, () -> "samples " + samples.size());
            long counted = HANDLER.stats().latency().count() - before;
            assertEquals(counted, samples.size(), "the listener got each sample the stats counted");
            assertTrue(samples.stream().allMatch(n -> n >= 0), samples::toString);

            assertTrue(HANDLER.removeLatencyListener(recording));
            assertTrue(!HANDLER.removeLatencyListener(recording), "removed once");
            int seen = samples.size();
            HUB.publish(SseEvent.of("untimed"));
            assertEquals("untimed", a.next().data());
            assertEquals("untimed", b.next().data());
            Await.until(() -> HANDLER.stats().latency().count() - before >= counted + 2,
                    () -> "latency count " + HANDLER.stats().latency().count());
            assertEquals(seen, samples.size(), "a removed listener gets no more samples");
        } finally {
            HANDLER.removeLatencyListener(throwing);
            HANDLER.removeLatencyListener(recording);
        }
    }
}
