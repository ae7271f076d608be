package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryResumeTest {

    private static List<Long> drainSequences(PullSubscription<String> s) {
        List<Long> out = new ArrayList<>();
        s.drain((seq, m) -> out.add(seq), Integer.MAX_VALUE);
        return out;
    }

    private static Hub<String> hub(History history) {
        return Hub.<String>builder().history(history).overflow(Overflow.dropNewest()).capacity(64).build();
    }

    @Test
    void resumeAfter_replaysKeptMessagesThenLive() {
        Hub<String> hub = hub(History.last(10));
        for (int i = 1; i <= 5; i++) {
            hub.publish("m" + i);
        }
        PullSubscription<String> s = hub.subscriber().resumeAfter(2).subscribe();
        hub.publish("m6");
        assertFalse(s.startGap());
        assertEquals(List.of(3L, 4L, 5L, 6L), drainSequences(s));
        SubscriptionStats st = s.stats();
        assertEquals(4, st.offered());
        assertEquals(4, st.delivered());
    }

    @Test
    void resumeAfter_tooOld_startsWithLatestAndSaysGap() {
        Hub<String> hub = hub(History.last(3));
        for (int i = 1; i <= 10; i++) {
            hub.publish("m" + i);
        }
        PullSubscription<String> s = hub.subscriber().resumeAfter(5).subscribe();
        assertTrue(s.startGap());
        assertEquals(List.of(10L), drainSequences(s));
    }

    @Test
    void resumeAfter_theLastSequence_replaysNothing() {
        Hub<String> hub = hub(History.last(3));
        hub.publish("a");
        PullSubscription<String> s = hub.subscriber().resumeAfter(1).subscribe();
        assertFalse(s.startGap());
        assertEquals(List.of(), drainSequences(s));
    }

    @Test
    void resumeAfter_aSequenceFromTheFuture_isAGap() {
        Hub<String> hub = hub(History.last(3));
        hub.publish("a");
        PullSubscription<String> s = hub.subscriber().resumeAfter(7).subscribe();
        assertTrue(s.startGap());
        assertEquals(List.of(1L), drainSequences(s));
    }

    @Test
    void startWithLatest_givesTheCurrentStateFirst() {
        Hub<String> hub = hub(History.latest());
        hub.publish("a");
        hub.publish("b");
        PullSubscription<String> s = hub.subscriber().startWithLatest().subscribe();
        hub.publish("c");
        List<String> got = new ArrayList<>();
        s.drain((seq, m) -> got.add(m), 10);
        assertEquals(List.of("b", "c"), got);
    }

    @Test
    void resume_withoutHistory_isRefused() {
        Hub<String> hub = Hub.<String>builder().build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> hub.subscriber().resumeAfter(0).subscribe());
        assertTrue(e.getMessage().startsWith("history: none"), e.getMessage());
    }

    @Test
    void resume_underLatestOnly_replaysOnlyTheNewest() {
        Hub<String> hub = hub(History.last(10));
        for (int i = 1; i <= 5; i++) {
            hub.publish("m" + i);
        }
        PullSubscription<String> s = hub.subscriber().overflow(Overflow.latestOnly()).resumeAfter(1).subscribe();
        assertEquals(List.of(5L), drainSequences(s));
    }

    @Test
    void historyByTime_expiresWithTheInjectedClock() {
        AtomicLong millis = new AtomicLong(1_000_000);
        InstantSource clock = () -> Instant.ofEpochMilli(millis.get());
        Hub<String> hub = Hub.<String>builder().history(History.lastFor(Duration.ofSeconds(10))).clock(clock).build();
        hub.publish("old");                 // at t
        millis.addAndGet(6_000);
        hub.publish("newer");               // at t + 6 s
        millis.addAndGet(5_000);            // t + 11 s: "old" is 11 s old, "newer" 5 s
        PullSubscription<String> gone = hub.subscriber().resumeAfter(0).subscribe();
        assertTrue(gone.startGap());
        PullSubscription<String> kept = hub.subscriber().resumeAfter(1).subscribe();
        assertFalse(kept.startGap());
        assertEquals(List.of(2L), drainSequences(kept));
    }

    @Test
    void dedup_equalPayloadIsANoOpWithoutSequence() {
        Hub<String> hub = Hub.<String>builder().dedup().build();
        PullSubscription<String> s = hub.subscribe(Overflow.dropNewest());
        assertEquals(1, hub.publishAndReport("x").sequence());
        PublishResult again = hub.publishAndReport("x");
        assertEquals(PublishResult.Status.DUPLICATE, again.status());
        assertEquals(0, again.sequence());
        assertEquals(2, hub.publishAndReport("y").sequence());
        assertEquals(3, hub.publishAndReport("x").sequence());
        assertEquals(List.of(1L, 2L, 3L), drainSequences(s));
    }

    @Test
    void latest_isTheLastPublished() {
        Hub<String> hub = Hub.<String>builder().build();
        assertTrue(hub.latest().isEmpty());
        hub.publish("a");
        hub.publish("b");
        assertEquals("b", hub.latest().orElseThrow().message());
        assertEquals(2, hub.latest().orElseThrow().sequence());
    }
}
