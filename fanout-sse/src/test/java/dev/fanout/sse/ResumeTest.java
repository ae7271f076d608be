package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Current state first, resume with Last-Event-ID, and the fall back when the gap is too old. */
@ServerTest
class ResumeTest {
    static final Hub<SseEvent> KEPT = Hub.<SseEvent>builder().name("kept").history(History.last(100)).build();
    static final Hub<SseEvent> SHORT = Hub.<SseEvent>builder().name("short").history(History.last(3)).build();
    static final SseHandler<SseEvent> KEPT_STREAM = SseHandler.builder(KEPT)
            .overflow(Overflow.dropOldest()).capacity(256).build();
    static final SseHandler<SseEvent> SHORT_STREAM = SseHandler.builder(SHORT)
            .overflow(Overflow.dropOldest()).capacity(256).build();

    private final URI kept;
    private final URI shortHistory;

    ResumeTest(URI uri) {
        this.kept = uri.resolve("/kept");
        this.shortHistory = uri.resolve("/short");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/kept", KEPT_STREAM).get("/short", SHORT_STREAM);
    }

    private static long publish(Hub<SseEvent> hub, String data) {
        return hub.publish(SseEvent.of(data));
    }

    @Test
    void newClient_getsTheCurrentStateFirst_thenLiveEvents() throws Exception {
        Hub<SseEvent> hub = KEPT;
        publish(hub, "old state");
        long current = publish(hub, "current state");
        try (SseClient c = SseClient.open(kept)) {
            SseParser.Event first = c.next();
            assertEquals(Long.toString(current), first.id());
            assertEquals("current state", first.data());
            long live = publish(hub, "live");
            assertEquals(new SseParser.Event(Long.toString(live), "message", "live"), c.next());
        }
    }

    @Test
    void reconnectWithLastEventId_resumesWithNoGapAndNoDuplicate() throws Exception {
        long lastSeen;
        try (SseClient c = SseClient.open(kept)) {
            Await.until(() -> KEPT.stats().subscribers() >= 1, () -> "subscribed");
            long a = publish(KEPT, "a");
            SseParser.Event e;
            do {
                e = c.next();
            } while (Long.parseLong(e.id()) < a);
            lastSeen = Long.parseLong(e.id());
        }
        // missed while away
        long first = publish(KEPT, "missed 1");
        publish(KEPT, "missed 2");
        long last = publish(KEPT, "missed 3");
        long resumedBefore = KEPT_STREAM.stats().resumed();
        try (SseClient c = SseClient.open(SseClient.HTTP1, kept, Long.toString(lastSeen))) {
            for (long seq = first; seq <= last; seq++) {
                SseParser.Event e = c.next();
                assertEquals(Long.toString(seq), e.id(), "in order, nothing skipped");
            }
            long live = publish(KEPT, "live after resume");
            SseParser.Event e = c.next();
            assertEquals(Long.toString(live), e.id(), "no duplicate at the seam");
            assertNull(c.poll(Duration.ofMillis(200)), "nothing more");
        }
        assertEquals(1, KEPT_STREAM.stats().resumed() - resumedBefore);
        assertEquals(0, KEPT_STREAM.stats().resumeGaps());
    }

    @Test
    void lastEventIdOlderThanTheHistory_fallsBackToTheCurrentState() throws Exception {
        for (int i = 1; i <= 10; i++) {
            publish(SHORT, "event " + i);
        }
        long current = SHORT.sequence();
        try (SseClient c = SseClient.open(SseClient.HTTP1, shortHistory, "1")) {
            SseParser.Event e = c.next();
            assertEquals(Long.toString(current), e.id());
            assertEquals("event 10", e.data());
        }
        assertEquals(1, SHORT_STREAM.stats().resumeGaps());
    }
}
