package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.helidon.webserver.testing.junit5.SetUpServer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@ServerTest
class StallEvictionTest {
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("stall-test").build();
    static final SseHandler<SseEvent> HANDLER = SseHandler.builder(HUB)
            .heartbeat(Duration.ofMillis(300))
            .stallTimeout(Duration.ofSeconds(1))
            .build();

    private final URI events;

    StallEvictionTest(URI uri) {
        this.events = uri.resolve("/events");
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) {
        // small kernel buffers, so a client that does not read blocks the server's write quickly
        server.connectionOptions(o -> o.socketSendBufferSize(8192));
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/events", HANDLER);
    }

    @Test
    void clientThatStopsReading_isEvicted_whileOthersKeepReceiving() throws Exception {
        String big = "x".repeat(32 * 1024);
        try (LogCapture logs = LogCapture.install();
             SseClient healthy = SseClient.open(events);
             RawClient stalled = RawClient.open(events, 2048, false)) {
            Await.until(() -> HUB.stats().subscribers() == 2, () -> "subscribers " + HUB.stats().subscribers());

            // publish until the non-reading client fills every buffer between it and the server
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int published = 0;
            while (HANDLER.stats().disconnects(SseDisconnect.STALLED) == 0 && System.nanoTime() < deadline) {
                HUB.publish(SseEvent.of("big", big));
                published++;
                Thread.sleep(20);
            }
            assertEquals(1, HANDLER.stats().disconnects(SseDisconnect.STALLED), "evicted after " + published);
            Await.until(() -> HUB.stats().subscribers() == 1, () -> "the stalled subscription is closed");
            assertEquals(1, HANDLER.openConnections());

            // the healthy client is still served
            long last = HUB.publish(SseEvent.of("after", "still here"));
            SseParser.Event e;
            do {
                e = healthy.next();
            } while (!e.type().equals("after"));
            assertEquals(HUB.epoch() + "-" + last, e.id());
            assertEquals("still here", e.data());
            assertTrue(logs.records.isEmpty(), "no stack trace for an eviction:\n" + logs.describe());
            assertTrue(stalled.socket.isConnected());
        }
    }
}
