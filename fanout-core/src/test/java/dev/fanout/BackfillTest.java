package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hub with a {@link Backfill} resumes from further back than its history: backfill, then
 * history, then live, with no gap and no duplicate; anything unusable from the backfill is a gap.
 */
@Timeout(60)
class BackfillTest {

    /** Everything ever published, as a source outside the hub would keep it. */
    private final List<Delivery<String>> archive = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();

    private List<Delivery<String>> fromArchive(String epoch, long after, long upTo) {
        fetches.incrementAndGet();
        List<Delivery<String>> out = new ArrayList<>();
        for (Delivery<String> d : archive) {
            if (d.sequence() > after && d.sequence() <= upTo) {
                out.add(Delivery.of(d.sequence(), d.message()));
            }
        }
        return out;
    }

    private Hub<String> hub(EngineType engine, Backfill<String> backfill) {
        return engine.<String>hub().epoch("e1").externalSequence().history(History.last(3))
                .overflow(Overflow.slowProducer(java.time.Duration.ofSeconds(5))).capacity(64)
                .backfill(backfill).build();
    }

    private void publish(Hub<String> hub, long from, long to) {
        for (long i = from; i <= to; i++) {
            archive.add(Delivery.of(i, "m" + i));
            hub.publish(i, "m" + i);
        }
    }

    private static List<Long> sequences(PullSubscription<String> s) {
        List<Long> out = new ArrayList<>();
        s.drain((seq, m) -> out.add(seq), Integer.MAX_VALUE);
        return out;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void resumeBeyondHistory_replaysBackfillThenHistoryThenLive(EngineType engine) {
        Hub<String> hub = hub(engine, this::fromArchive);
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(Position.of("e1", 2)).subscribe();
        publish(hub, 11, 12);
        assertFalse(s.startGap());
        assertEquals(range(3, 12), sequences(s));
        assertEquals(1, fetches.get());
        hub.close();
    }

    @Test
    void resumeTheHistoryHolds_doesNotFetch() {
        Hub<String> hub = hub(EngineType.QUEUES, this::fromArchive);
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(8).subscribe();
        assertEquals(List.of(9L, 10L), sequences(s));
        assertEquals(0, fetches.get());
        hub.close();
    }

    @Test
    void positionOfAnotherEpoch_isAGapWithoutFetching() {
        Hub<String> hub = hub(EngineType.QUEUES, this::fromArchive);
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(Position.of("e0", 2)).subscribe();
        assertTrue(s.startGap());
        assertEquals(List.of(10L), sequences(s));
        assertEquals(0, fetches.get());
        hub.close();
    }

    @Test
    void backfillThatReachesBackLessFar_isAGap() {
        Hub<String> hub = hub(EngineType.QUEUES, (e, after, upTo) -> fromArchive(e, after + 1, upTo)); // trimmed
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(2).subscribe();
        assertTrue(s.startGap());
        assertEquals(List.of(10L), sequences(s));
        hub.close();
    }

    @Test
    void backfillWithAHoleOrAnErrorOrNothing_isAGap() {
        List<Backfill<String>> bad = List.of(
                (e, after, upTo) -> {
                    List<Delivery<String>> l = new ArrayList<>(fromArchive(e, after, upTo));
                    l.remove(1);
                    return l;
                },
                (e, after, upTo) -> {
                    throw new IllegalStateException("source down");
                },
                (e, after, upTo) -> List.of(),
                (e, after, upTo) -> fromArchive(e, after, upTo + 5)); // more than asked for
        for (Backfill<String> b : bad) {
            archive.clear();
            Hub<String> hub = hub(EngineType.QUEUES, b);
            publish(hub, 1, 10);
            PullSubscription<String> s = hub.subscriber().resumeAfter(2).subscribe();
            assertTrue(s.startGap());
            assertEquals(List.of(10L), sequences(s));
            hub.close();
        }
    }

    @Test
    void backfillGivingLessThanAsked_joinsTheHistoryWhenItReachesIt() {
        // asked for 3..9, it gives 3..8; the history (8, 9, 10) takes over from there
        Hub<String> hub = hub(EngineType.QUEUES, (e, after, upTo) -> fromArchive(e, after, upTo - 1));
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(2).subscribe();
        assertFalse(s.startGap());
        assertEquals(range(3, 10), sequences(s));
        hub.close();
    }

    @Test
    void backfillThatNeverReachesTheHistory_isAGapAfterAFewAttempts() {
        // one message per call: 3, 4, 5, 6, and the history starts at 8
        Hub<String> hub = hub(EngineType.QUEUES, (e, after, upTo) -> fromArchive(e, after, after + 1));
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(2).subscribe();
        assertTrue(s.startGap());
        assertEquals(List.of(10L), sequences(s));
        assertEquals(4, fetches.get(), "each attempt fetched on from where the last one ended");
        hub.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void historyMovingPastTheBackfillWhileItFetches_fetchesAgain(EngineType engine) {
        Hub<String>[] self = newHubArray();
        self[0] = hub(engine, (e, after, upTo) -> {
            List<Delivery<String>> got = fromArchive(e, after, upTo);
            if (fetches.get() == 1) {
                publish(self[0], self[0].sequence() + 1, self[0].sequence() + 5); // more than the history keeps
            }
            return got;
        });
        Hub<String> hub = self[0];
        publish(hub, 1, 10);
        PullSubscription<String> s = hub.subscriber().resumeAfter(2).subscribe();
        assertFalse(s.startGap());
        assertEquals(2, fetches.get(), "the second fetch took only what the history had dropped meanwhile");
        assertEquals(range(3, 15), sequences(s));
        hub.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void resumesRacingPublishes_eachGetsADenseRunFromItsPosition(EngineType engine) throws Exception {
        // lossless, so that every jump would be the seam's fault, not a drop the strategy made
        Hub<String> hub = engine.<String>hub().epoch("e1").externalSequence().history(History.last(8))
                .overflow(Overflow.slowProducer(java.time.Duration.ofSeconds(10))).capacity(4096)
                .backfill(this::fromArchive).build();
        int total = 20_000;
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (long i = 1; i <= total && !stop.get(); i++) {
                archive.add(Delivery.of(i, "m" + i)); // in the archive before the hub: as a stream is
                hub.publish(i, "m" + i);
            }
        });
        java.util.Random random = new java.util.Random(42);
        List<String> failures = new ArrayList<>();
        int resumed = 0;
        int gaps = 0;
        try {
            while (publisher.isAlive() && failures.size() < 5) {
                long now = hub.sequence();
                long from = Math.max(0, now - random.nextInt(200));
                PullSubscription<String> s = hub.subscriber().resumeAfter(from).subscribe();
                List<Delivery<String>> got = new ArrayList<>();
                s.drain((seq, m) -> got.add(Delivery.of(seq, m)), 64);
                s.close();
                if (s.startGap()) {
                    gaps++;
                    continue;
                }
                resumed++;
                long next = from + 1;
                for (Delivery<String> d : got) {
                    if (d.sequence() != next || !d.message().equals("m" + next)) {
                        failures.add("after " + from + ": " + d + " where " + next + " was due");
                        break;
                    }
                    next++;
                }
            }
        } finally {
            stop.set(true);
            publisher.join();
            hub.close();
        }
        assertEquals(List.of(), failures);
        assertTrue(resumed > 10, "resumed " + resumed + ", gaps " + gaps + ": the race was not run");
    }

    @Test
    void backfillWithoutHistory_isRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Hub.<String>builder().backfill((ep, a, u) -> List.of()).build());
        assertTrue(e.getMessage().startsWith("backfill: set without a history"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Delivery.of(0, "x"));
    }

    @SuppressWarnings("unchecked")
    private static Hub<String>[] newHubArray() {
        return (Hub<String>[]) new Hub<?>[1];
    }
}
