package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@ServerTest
class AdmissionTest {
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("admission-test").build();
    static final SseHandler<SseEvent> HANDLER = SseHandler.builder(HUB)
            .maxConnections(2)
            .retryAfter(Duration.ofSeconds(5))
            .heartbeat(Duration.ofMillis(500))
            .build();

    private final URI events;

    AdmissionTest(URI uri) {
        this.events = uri.resolve("/events");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/events", HANDLER);
    }

    @Test
    void overTheLimit_getsServiceUnavailableWithRetryAfter_andTheServerKeepsServing() throws Exception {
        try (SseClient first = SseClient.open(events)) {
            long rejectedBefore = HANDLER.stats().rejected();
            try (SseClient second = SseClient.open(events)) {
                Await.until(() -> HANDLER.openConnections() == 2, () -> "open " + HANDLER.openConnections());

                HttpResponse<String> refused = SseClient.HTTP1.send(HttpRequest.newBuilder(events).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, refused.statusCode());
                long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 5 && retryAfter <= 10, "jittered Retry-After: " + retryAfter);
                assertEquals(1, HANDLER.stats().rejected() - rejectedBefore);
                assertEquals(2, HANDLER.openConnections(), "a refusal holds no stream");

                // the admitted streams are still served
                HUB.publish(SseEvent.of("while full"));
                assertEquals("while full", first.next().data());
                assertEquals("while full", second.next().data());
            }
            // a freed slot is taken again
            Await.until(() -> HANDLER.openConnections() == 1, () -> "open " + HANDLER.openConnections());
            try (SseClient third = SseClient.open(events)) {
                assertEquals(200, third.response.statusCode());
                Await.until(() -> HUB.stats().subscribers() == 2, () -> "subscribers " + HUB.stats().subscribers());
                HUB.publish(SseEvent.of("room again"));
                SseParser.Event e;
                do {
                    e = third.next();
                } while (!e.data().equals("room again"));
            }
        }
    }
}
