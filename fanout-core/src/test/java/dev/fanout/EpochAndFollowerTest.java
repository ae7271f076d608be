package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Epochs (sequence numbers mean something only within their epoch, so a position from another
 * one is a gap) and hubs that follow sequence numbers assigned elsewhere (gaps visible).
 */
@Timeout(60)
class EpochAndFollowerTest {

    @Test
    void position_textRoundTrips_andBadFormsAreEmpty() {
        Position p = Position.of("k3f9q2", 1042);
        assertEquals("k3f9q2-1042", p.toString());
        assertEquals(Optional.of(p), Position.parse(p.toString()));
        assertEquals(Optional.of(Position.of("a_b", 0)), Position.parse("a_b-0"));
        for (String bad : new String[] {"", "42", "-42", "e-", "e-x", "e-1-2x", "é-1", "e-99999999999999999999", "e 1"}) {
            assertEquals(Optional.empty(), Position.parse(bad), bad);
        }
        assertEquals(Optional.empty(), Position.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Position.of("has-dash", 1));
        assertThrows(IllegalArgumentException.class, () -> Position.of("e", -1));
    }

    @Test
    void epoch_isRandomPerHubUnlessGiven_andValidated() {
        Hub<String> a = Hub.<String>builder().build();
        Hub<String> b = Hub.<String>builder().build();
        assertTrue(a.epoch().matches("[0-9a-z]{12}"), a.epoch());
        assertNotEquals(a.epoch(), b.epoch());
        assertEquals("journal7", Hub.<String>builder().epoch("journal7").build().epoch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Hub.<String>builder().epoch("no spaces"));
        assertEquals("epoch: \"no spaces\" (expected: 1 to 32 of [0-9A-Za-z_])", e.getMessage());
        a.publish("x");
        assertEquals(Position.of(a.epoch(), 1), a.position());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void resumeAfterAPositionOfTheHubsEpoch_replays_andOfAnotherEpoch_isAGap(EngineType engine) {
        Hub<String> hub = engine.<String>hub().epoch("run2").history(History.last(16)).build();
        for (int i = 1; i <= 5; i++) {
            hub.publish("m" + i);
        }
        PullSubscription<String> same = hub.subscriber().resumeAfter(Position.of("run2", 3)).subscribe();
        assertFalse(same.startGap());
        assertEquals(List.of(4L, 5L), sequences(same));

        PullSubscription<String> other = hub.subscriber().resumeAfter(Position.of("run1", 3)).subscribe();
        assertTrue(other.startGap(), "another epoch's 3 is not this one's 3");
        assertEquals(List.of(5L), sequences(other), "the latest, never a replay of other messages");
        hub.close();
    }

    @Test
    void externalSequence_publishesUnderGivenNumbers_andRefusesTheOtherForm() {
        Hub<String> hub = Hub.<String>builder().externalSequence().build();
        PullSubscription<String> s = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(1)));
        assertEquals(1000, hub.publish(1000, "a"));
        assertEquals(1001, hub.publishAndReport(1001, "b").sequence());
        assertEquals(1001, hub.sequence());
        IllegalArgumentException stale = assertThrows(IllegalArgumentException.class, () -> hub.publish(1001, "again"));
        assertEquals("sequence: 1001 (expected: > 1001, the last published)", stale.getMessage());
        assertThrows(IllegalStateException.class, () -> hub.publish("numbered by the hub"));
        assertThrows(IllegalStateException.class, () -> hub.publishAndReport("numbered by the hub"));
        assertEquals(List.of(1000L, 1001L), sequences(s));
        assertThrows(IllegalStateException.class, () -> Hub.<String>builder().build().publish(5, "x"));
        assertThrows(IllegalStateException.class, () -> Hub.<String>builder().externalSequence().dedup().build());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void externalSequence_gapsAreVisibleLive_andAResumeAcrossOneIsAGap(EngineType engine) {
        Hub<String> hub = engine.<String>hub().externalSequence().history(History.last(16)).build();
        PullSubscription<String> live = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(1)));
        long[] published = {1, 2, 3, 7, 8, 9}; // 4, 5 and 6 never reached this hub
        for (long seq : published) {
            hub.publish(seq, "m" + seq);
        }
        assertEquals(List.of(1L, 2L, 3L, 7L, 8L, 9L), sequences(live), "the jump shows");

        PullSubscription<String> before = hub.subscriber().resumeAfter(2).subscribe();
        assertFalse(before.startGap(), "3 follows 2: the gap comes later, visible as a jump");
        assertEquals(List.of(3L, 7L, 8L, 9L), sequences(before));

        PullSubscription<String> across = hub.subscriber().resumeAfter(4).subscribe();
        assertTrue(across.startGap(), "what follows 4 never reached this hub");
        assertEquals(List.of(9L), sequences(across));

        PullSubscription<String> after = hub.subscriber().resumeAfter(7).subscribe();
        assertFalse(after.startGap());
        assertEquals(List.of(8L, 9L), sequences(after));
        hub.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void externalSequence_onTheRing_lapsAreStillCaught(int ringSize) {
        Hub<Integer> hub = Hub.<Integer>builder().engine(Engine.ring(ringSize)).capacity(ringSize)
                .externalSequence().build();
        PullSubscription<Integer> lossy = hub.subscribe(Overflow.dropOldest());
        long seq = 10;
        for (int i = 0; i < 50; i++) {
            seq += 1 + (i % 3); // gaps of 0, 1 and 2
            hub.publish(seq, (int) seq);
        }
        List<Delivery<Integer>> got = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = lossy.poll(); d.isPresent(); d = lossy.poll()) {
            got.add(d.get());
        }
        assertEquals(Math.min(ringSize, 50), got.size(), got.toString());
        for (Delivery<Integer> d : got) {
            assertEquals(d.sequence(), (long) d.message(), "each message under its own sequence: " + got);
        }
        assertEquals(seq, got.get(got.size() - 1).sequence(), "the newest kept");
        SubscriptionStats st = lossy.stats();
        assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), st.toString());
    }

    private static List<Long> sequences(PullSubscription<String> s) {
        List<Long> out = new ArrayList<>();
        s.drain((seq, m) -> out.add(seq), Integer.MAX_VALUE);
        return out;
    }
}
