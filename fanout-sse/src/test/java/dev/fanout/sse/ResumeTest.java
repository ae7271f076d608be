package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Ids are positions ({@code epoch-sequence}); current state first, resume with a
 * {@code Last-Event-ID} of the hub's epoch, and every other id a gap: a reset event, then the
 * current state, never a replay.
 */
@ServerTest
class ResumeTest {
    static final Hub<SseEvent> KEPT = Hub.<SseEvent>builder().name("kept").history(History.last(100)).build();
    static final Hub<SseEvent> SHORT = Hub.<SseEvent>builder().name("short").history(History.last(3)).build();
    static final Hub<SseEvent> GAPS = Hub.<SseEvent>builder().name("gaps").history(History.last(100)).build();
    static final Hub<SseEvent> LIVE = Hub.<SseEvent>builder().name("live").build(); // no history
    static final SseHandler<SseEvent> KEPT_STREAM = SseHandler.builder(KEPT)
            .overflow(Overflow.dropOldest()).capacity(256).build();
    static final SseHandler<SseEvent> SHORT_STREAM = SseHandler.builder(SHORT)
            .overflow(Overflow.dropOldest()).capacity(256).build();
    static final SseHandler<SseEvent> GAPS_STREAM = SseHandler.builder(GAPS)
            .overflow(Overflow.dropOldest()).capacity(256).build();
    static final SseHandler<SseEvent> LIVE_STREAM = SseHandler.builder(LIVE)
            .overflow(Overflow.dropOldest()).capacity(256).build();

    private final URI kept;
    private final URI shortHistory;
    private final URI gaps;
    private final URI live;

    ResumeTest(URI uri) {
        this.kept = uri.resolve("/kept");
        this.shortHistory = uri.resolve("/short");
        this.gaps = uri.resolve("/gaps");
        this.live = uri.resolve("/live");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/kept", KEPT_STREAM).get("/short", SHORT_STREAM).get("/gaps", GAPS_STREAM).get("/live", LIVE_STREAM);
    }

    private static long publish(Hub<SseEvent> hub, String data) {
        return hub.publish(SseEvent.of(data));
    }

    private static String id(Hub<?> hub, long sequence) {
        return hub.epoch() + "-" + sequence;
    }

    private static SseParser.Event reset(String reason, Hub<?> hub) {
        return new SseParser.Event("", "reset", "{\"reason\":\"" + reason + "\",\"epoch\":\"" + hub.epoch() + "\"}");
    }

    @Test
    void newClient_getsTheCurrentStateFirst_thenLiveEvents_idsAreEpochAndSequence() throws Exception {
        Hub<SseEvent> hub = KEPT;
        publish(hub, "old state");
        long current = publish(hub, "current state");
        try (SseClient c = SseClient.open(kept)) {
            SseParser.Event first = c.next();
            assertEquals(id(hub, current), first.id());
            assertTrue(first.id().matches("[0-9a-z]{12}-[0-9]+"), first.id());
            assertEquals("current state", first.data());
            long live = publish(hub, "live");
            assertEquals(new SseParser.Event(id(hub, live), "message", "live"), c.next());
        }
    }

    @Test
    void reconnectWithLastEventIdOfThisEpoch_resumesWithNoGapNoDuplicateNoReset() throws Exception {
        String lastSeen;
        try (SseClient c = SseClient.open(kept)) {
            Await.until(() -> KEPT.stats().subscribers() >= 1, () -> "subscribed");
            long a = publish(KEPT, "a");
            SseParser.Event e;
            do {
                e = c.next();
            } while (!e.id().equals(id(KEPT, a)));
            lastSeen = e.id();
        }
        // missed while away
        long first = publish(KEPT, "missed 1");
        publish(KEPT, "missed 2");
        long last = publish(KEPT, "missed 3");
        SseStats before = KEPT_STREAM.stats();
        try (SseClient c = SseClient.open(SseClient.HTTP1, kept, lastSeen)) {
            for (long seq = first; seq <= last; seq++) {
                SseParser.Event e = c.next();
                assertEquals(id(KEPT, seq), e.id(), "in order, nothing skipped, no reset");
            }
            long live = publish(KEPT, "live after resume");
            SseParser.Event e = c.next();
            assertEquals(id(KEPT, live), e.id(), "no duplicate at the seam");
            assertNull(c.poll(Duration.ofMillis(200)), "nothing more");
        }
        SseStats after = KEPT_STREAM.stats();
        assertEquals(1, after.resumed() - before.resumed());
        assertEquals(0, after.resumeGaps() - before.resumeGaps());
    }

    @Test
    void lastEventIdOlderThanTheHistory_isAResetThenTheCurrentState() throws Exception {
        for (int i = 1; i <= 10; i++) {
            publish(SHORT, "event " + i);
        }
        long current = SHORT.sequence();
        try (SseClient c = SseClient.open(SseClient.HTTP1, shortHistory, id(SHORT, 1))) {
            assertEquals(reset("expired", SHORT), c.next());
            SseParser.Event e = c.next();
            assertEquals(id(SHORT, current), e.id());
            assertEquals("event 10", e.data());
        }
        assertEquals(1, SHORT_STREAM.stats().resumeGaps());
    }

    @Test
    void lastEventIdOfAnotherEpoch_isAReset_neverAReplayOfThatSequence() throws Exception {
        for (int i = 1; i <= 5; i++) {
            publish(GAPS, "event " + i);
        }
        long current = GAPS.sequence();
        String otherEpoch = "restarted0001";
        assertNotEquals(otherEpoch, GAPS.epoch());
        SseStats before = GAPS_STREAM.stats();
        // sequence 2 is in this hub's history: with the epoch ignored, 3, 4 and 5 would be replayed
        try (SseClient c = SseClient.open(SseClient.HTTP1, gaps, otherEpoch + "-2")) {
            assertEquals(reset("epoch", GAPS), c.next());
            assertEquals(new SseParser.Event(id(GAPS, current), "message", "event 5"), c.next(), "the current state only");
            long live = publish(GAPS, "live");
            assertEquals(id(GAPS, live), c.next().id());
        }
        SseStats after = GAPS_STREAM.stats();
        assertEquals(1, after.resumed() - before.resumed());
        assertEquals(1, after.resumeGaps() - before.resumeGaps());
    }

    @Test
    void lastEventIdAheadOfTheStream_isAResetThenTheCurrentState() throws Exception {
        publish(GAPS, "now");
        long current = GAPS.sequence();
        try (SseClient c = SseClient.open(SseClient.HTTP1, gaps, id(GAPS, current + 100))) {
            assertEquals(reset("ahead", GAPS), c.next());
            assertEquals(new SseParser.Event(id(GAPS, current), "message", "now"), c.next());
        }
    }

    @Test
    void unreadableLastEventIds_andBareNumbersOfOlderClients_areResets() throws Exception {
        publish(GAPS, "a");
        publish(GAPS, "b");
        long current = GAPS.sequence();
        // "1" is a sequence number of the older id form: its epoch is unknown, so it is not replayed
        for (String lastEventId : new String[] {"1", "x y", GAPS.epoch(), GAPS.epoch() + "-", "-1", GAPS.epoch() + "-99999999999999999999"}) {
            SseStats before = GAPS_STREAM.stats();
            try (SseClient c = SseClient.open(SseClient.HTTP1, gaps, lastEventId)) {
                assertEquals(reset("unreadable", GAPS), c.next(), lastEventId);
                assertEquals(new SseParser.Event(id(GAPS, current), "message", "b"), c.next(), lastEventId);
            }
            SseStats after = GAPS_STREAM.stats();
            assertEquals(1, after.resumeGaps() - before.resumeGaps(), lastEventId);
        }
    }

    @Test
    void hubWithoutHistory_resumesOnlyWhenNothingWasMissed() throws Exception {
        publish(LIVE, "seen");
        String upToDate = id(LIVE, LIVE.sequence());
        try (SseClient c = SseClient.open(SseClient.HTTP1, live, upToDate)) {
            Await.until(() -> LIVE.stats().subscribers() >= 1, () -> "subscribed");
            long next = publish(LIVE, "next");
            assertEquals(new SseParser.Event(id(LIVE, next), "message", "next"), c.next(), "no reset, nothing missed");
        }
        String behind = id(LIVE, LIVE.sequence());
        publish(LIVE, "missed");
        try (SseClient c = SseClient.open(SseClient.HTTP1, live, behind)) {
            assertEquals(reset("expired", LIVE), c.next()); // written once subscribed
            long next = publish(LIVE, "after the gap");
            assertEquals(id(LIVE, next), c.next().id(), "then live: a hub without history keeps no state");
        }
    }
}
