package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@ServerTest
class VanishedClientsTest {
    static final Duration HEARTBEAT = Duration.ofMillis(500);
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("vanish-test").build();
    static final SseHandler<SseEvent> HANDLER = SseHandler.builder(HUB).heartbeat(HEARTBEAT).build();

    private final URI events;

    VanishedClientsTest(URI uri) {
        this.events = uri.resolve("/events");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/events", HANDLER);
    }

    @Test
    void thousandAbruptlyDroppedClients_leaveNoSubscriptionAndNoOpenConnection() throws Exception {
        int n = 1000;
        List<RawClient> clients = new ArrayList<>();
        try (LogCapture logs = LogCapture.install();
             ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<RawClient>> opening = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                opening.add(pool.submit(() -> RawClient.open(events, 0, true)));
            }
            for (Future<RawClient> f : opening) {
                clients.add(f.get());
            }
            Await.until(() -> HANDLER.openConnections() == n, () -> "open " + HANDLER.openConnections());
            assertEquals(n, HUB.stats().subscribers());
            long goneBefore = HANDLER.stats().disconnects(SseDisconnect.CLIENT_GONE);
            long eventsBefore = HANDLER.stats().eventsWritten();

            // half vanish with a reset (killed process), half with a normal close (FIN): no event is
            // published from here on, so only the heartbeats can find them
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    clients.get(i).reset();
                } else {
                    clients.get(i).close();
                }
            }
            Await.until(Duration.ofSeconds(20),
                    () -> HANDLER.openConnections() == 0 && HUB.stats().subscribers() == 0,
                    () -> "open " + HANDLER.openConnections() + ", subscribers " + HUB.stats().subscribers());

            SseStats stats = HANDLER.stats();
            assertEquals(0, stats.openConnections());
            assertEquals(n, stats.disconnects(SseDisconnect.CLIENT_GONE) - goneBefore);
            assertEquals(eventsBefore, stats.eventsWritten(), "found by heartbeats alone, no event was written");
            assertTrue(stats.heartbeats() >= n / 2, "a closed (FIN) socket takes the 2nd write to fail");
            assertTrue(logs.records.isEmpty(), "nothing logged per disconnect:\n" + logs.describe());
        }
    }
}
