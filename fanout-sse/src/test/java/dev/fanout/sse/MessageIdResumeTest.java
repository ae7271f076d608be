package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Position;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code eventIds}: the {@code id:} comes from the message (here a snapshot's version, unrelated
 * to the hub's sequence numbers), and a {@code Last-Event-ID} equal to the current message's id
 * skips the initial duplicate while any other id gets the current state.
 */
@ServerTest
class MessageIdResumeTest {
    /** A whole state with its own version, as a leaderboard snapshot. */
    record State(long version, String body) {
    }

    static final Hub<State> STATES = Hub.<State>builder().name("states").history(History.latest()).build();
    static final SseHandler<State> STREAM = SseHandler.builder(STATES)
            .events(s -> SseEvent.of("state", s.body()))
            .eventIds(s -> "v" + s.version())
            .build();
    static final Hub<State> NULL_IDS = Hub.<State>builder().name("null-ids").history(History.latest()).build();
    static final SseHandler<State> NULL_IDS_STREAM = SseHandler.builder(NULL_IDS)
            .events(s -> SseEvent.of(s.body()))
            .eventIds(s -> s.version() < 0 ? "bad\nid" : null)
            .build();

    static final Hub<State> NO_RESUME = Hub.<State>builder().name("no-resume").history(History.latest()).build();
    static final SseHandler<State> NO_RESUME_STREAM = SseHandler.builder(NO_RESUME)
            .events(s -> SseEvent.of(s.body()))
            .eventIds(s -> Long.toString(s.version()))
            .resume(false)
            .build();

    static final Hub<State> LATENCY = Hub.<State>builder().name("latency").history(History.latest()).build();
    static final SseHandler<State> LATENCY_STREAM = SseHandler.builder(LATENCY)
            .events(s -> SseEvent.of(s.body()))
            .eventIds(s -> Long.toString(s.version()))
            .build();

    /** A whole state at a position of its store's own sequence, whose epoch changes when that restarts. */
    record Stored(Position at, String body) {
    }

    static final Hub<Stored> STORED = Hub.<Stored>builder().name("stored").history(History.latest()).build();
    static final SseHandler<Stored> STORED_STREAM = SseHandler.builder(STORED)
            .events(s -> SseEvent.of("state", s.body()))
            .eventPositions(Stored::at)
            .build();

    private final URI uri;
    private final URI stored;
    private final URI latency;
    private final URI nullIds;
    private final URI noResume;
    private long version = 1000; // far from the hub's sequence numbers

    MessageIdResumeTest(URI uri) {
        this.uri = uri.resolve("/states");
        this.nullIds = uri.resolve("/null-ids");
        this.latency = uri.resolve("/latency");
        this.noResume = uri.resolve("/no-resume");
        this.stored = uri.resolve("/stored");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/states", STREAM).get("/null-ids", NULL_IDS_STREAM).get("/no-resume", NO_RESUME_STREAM)
                .get("/latency", LATENCY_STREAM).get("/stored", STORED_STREAM);
    }

    @BeforeEach
    void fresh() {
        version = STATES.sequence() * 100 + 1000;
    }

    private State publish(String body) {
        State s = new State(++version, body);
        STATES.publish(s);
        return s;
    }

    @Test
    void idIsTheMessageId_notTheSequence() throws Exception {
        State current = publish("current");
        try (SseClient c = SseClient.open(uri)) {
            assertEquals(new SseParser.Event("v" + current.version(), "state", "current"), c.next());
            State live = publish("live");
            assertEquals(new SseParser.Event("v" + live.version(), "state", "live"), c.next());
        }
    }

    @Test
    void onlyLiveEventsAreLatencySamples() throws Exception {
        LATENCY.publish(new State(1, "current"));
        try (SseClient c = SseClient.open(latency)) {
            assertEquals("current", c.next().data());
            assertEquals(0, LATENCY_STREAM.stats().latency().count(), "the current state is old, not late");
            LATENCY.publish(new State(2, "live"));
            assertEquals("live", c.next().data());
            Await.until(() -> LATENCY_STREAM.stats().latency().count() == 1, () -> "one sample, the live event");
        }
    }

    @Test
    void lastEventIdEqualToTheCurrentId_getsNoInitialDuplicate_thenLiveEvents() throws Exception {
        State current = publish("current");
        SseStats before = STREAM.stats();
        try (SseClient c = SseClient.open(SseClient.HTTP1, uri, "v" + current.version())) {
            Await.until(() -> STATES.stats().subscribers() >= 1 && c.retry() >= 0, () -> "subscribed");
            assertNull(c.poll(Duration.ofMillis(300)), "the client already shows the current state");
            State live = publish("live");
            assertEquals(new SseParser.Event("v" + live.version(), "state", "live"), c.next());
        }
        SseStats after = STREAM.stats();
        assertEquals(1, after.resumed() - before.resumed());
        assertEquals(0, after.resumeGaps() - before.resumeGaps());
    }

    @Test
    void anyOtherLastEventId_getsTheCurrentState() throws Exception {
        State older = publish("older");
        State current = publish("current");
        SseStats before = STREAM.stats();
        // an older id, a newer one (another server ahead of this one), garbage, and a sequence number
        for (String id : new String[] {"v" + older.version(), "v" + (current.version() + 5), "x y", Long.toString(STATES.sequence())}) {
            try (SseClient c = SseClient.open(SseClient.HTTP1, uri, id)) {
                assertEquals(new SseParser.Event("v" + current.version(), "state", current.body()), c.next(), id);
                State live = publish("live");
                assertEquals("v" + live.version(), c.next().id(), id);
                current = live;
            }
        }
        SseStats after = STREAM.stats();
        assertEquals(4, after.resumed() - before.resumed());
        assertEquals(4, after.resumeGaps() - before.resumeGaps());
    }

    @Test
    void resumeOff_ignoresTheHeader() throws Exception {
        NO_RESUME.publish(new State(7, "seven"));
        try (SseClient c = SseClient.open(SseClient.HTTP1, noResume, "7")) {
            assertEquals(new SseParser.Event("7", "message", "seven"), c.next());
        }
        assertEquals(0, NO_RESUME_STREAM.stats().resumed());
    }

    @Test
    void nullIdMeansNoIdLine_andABadIdSkipsTheMessage() throws Exception {
        NULL_IDS.publish(new State(1, "first"));
        long failedBefore = NULL_IDS_STREAM.stats().eventsFailed();
        try (SseClient c = SseClient.open(nullIds)) {
            assertEquals(new SseParser.Event("", "message", "first"), c.next());
            NULL_IDS.publish(new State(-1, "bad id"));
            Await.until(() -> NULL_IDS_STREAM.stats().eventsFailed() > failedBefore, () -> "encoded"); // not conflated away
            NULL_IDS.publish(new State(2, "after"));
            assertEquals(new SseParser.Event("", "message", "after"), c.next());
        }
        assertEquals(1, NULL_IDS_STREAM.stats().eventsFailed() - failedBefore);
    }

    private static SseParser.Event reset(String reason, String epoch) {
        return new SseParser.Event("", "reset", "{\"reason\":\"" + reason + "\",\"epoch\":\"" + epoch + "\"}");
    }

    @Test
    void messagePositions_idIsTheTextForm_andTheSameIdGetsNothing() throws Exception {
        Stored current = new Stored(Position.of("same", 7), "seven");
        STORED.publish(current);
        try (SseClient c = SseClient.open(stored)) {
            assertEquals(new SseParser.Event("same-7", "state", "seven"), c.next());
        }
        try (SseClient c = SseClient.open(SseClient.HTTP1, stored, "same-7")) {
            Await.until(() -> STORED.stats().subscribers() >= 1 && c.retry() >= 0, () -> "subscribed");
            assertNull(c.poll(Duration.ofMillis(300)), "the client already shows the current state");
            STORED.publish(new Stored(Position.of("same", 8), "eight"));
            assertEquals(new SseParser.Event("same-8", "state", "eight"), c.next());
        }
    }

    @Test
    void messagePositions_sameEpoch_getsTheStateWithNoReset() throws Exception {
        STORED.publish(new Stored(Position.of("kept", 3), "three"));
        // older, and ahead (another server publishing the same store may be ahead of this one)
        for (String id : new String[] {"kept-1", "kept-9"}) {
            try (SseClient c = SseClient.open(SseClient.HTTP1, stored, id)) {
                assertEquals(new SseParser.Event("kept-3", "state", "three"), c.next(), id);
            }
        }
    }

    @Test
    void messagePositions_otherEpochOrUnreadable_getAResetBeforeTheState() throws Exception {
        STORED.publish(new Stored(Position.of("old", 5), "before the store started over"));
        STORED.publish(new Stored(Position.of("renewed", 5), "after")); // the same number, another epoch
        SseStats before = STORED_STREAM.stats();
        try (SseClient c = SseClient.open(SseClient.HTTP1, stored, "old-5")) {
            assertEquals(reset("epoch", "renewed"), c.next(), "never taken for this epoch's 5");
            assertEquals(new SseParser.Event("renewed-5", "state", "after"), c.next());
            STORED.publish(new Stored(Position.of("renewed", 6), "live"));
            assertEquals(new SseParser.Event("renewed-6", "state", "live"), c.next(), "no reset for live events");
        }
        try (SseClient c = SseClient.open(SseClient.HTTP1, stored, "6")) { // a bare number of an earlier version
            assertEquals(reset("unreadable", "renewed"), c.next());
            assertEquals(new SseParser.Event("renewed-6", "state", "live"), c.next());
        }
        SseStats after = STORED_STREAM.stats();
        assertEquals(2, after.resumed() - before.resumed());
        assertEquals(2, after.resumeGaps() - before.resumeGaps());
    }

    @Test
    void eventPositions_andEventIds_areOneOption() {
        SseHandler.Builder<Stored> b = SseHandler.builder(STORED).eventPositions(Stored::at);
        assertThrows(IllegalStateException.class, () -> b.eventIds(s -> "x"));
        assertThrows(IllegalStateException.class,
                () -> SseHandler.builder(STORED).eventIds(s -> "x").eventPositions(Stored::at));
    }
}
