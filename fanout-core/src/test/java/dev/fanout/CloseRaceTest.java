package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.spi.HubListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A user's {@link Subscription#close()} racing what a publish in flight does to the same
 * subscription. A publisher thread publishes at full speed for the whole test while other
 * threads subscribe and close, round after round, on one hub; every subscription is checked
 * once the publisher has stopped and the hub has closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseRaceTest {

    // ================================================================== close vs disconnect

    /**
     * Rounds per engine: the race was measured at 2-6 (queues) and 3-4 (ring) per 30,000 rounds in
     * the suite that found it; this test's rounds hit it about 100 times per 30,000.
     */
    private static final int DISCONNECT_ROUNDS = 30_000;
    /** The most publishes a round waits for before its close. */
    private static final int MAX_WINDOW = 64;
    /** The longest a round waits for them, so that a starved publisher cannot stretch the test. */
    private static final long MAX_WAIT_NANOS = 2_000_000;

    /**
     * A {@code disconnect} subscriber of capacity 1 overflows on about the second publish after
     * it subscribed; the test closes it at about that moment: as soon as the listener hears of
     * its first drop (on the queue engine the publisher reports the DISCONNECTED drop just before
     * it closes the subscriber), or else after a number of the publisher's publishes that adapts
     * so that about half the rounds end SLOW and half CLOSED (counted in publishes, not time, so
     * that a loaded machine does not change how often the race is run; on the ring the publisher
     * finds the stalled subscriber once per lap). Every subscription gets exactly one onClose, with the reason
     * {@code closeReason()} reports, and the hub's disconnects are the subscriptions that ended
     * SLOW.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void userCloseRacingThePublishersDisconnect_onCloseOnceWithTheReportedReason_disconnectsCountSlowOnes(
            EngineType engine) throws Exception {
        Closes closes = new Closes();
        Hub<Integer> hub = engine.<Integer>hub().capacity(1).listener(closes).build();
        Publisher publisher = new Publisher(hub);
        List<Subscription<Integer>> subs = new ArrayList<>(DISCONNECT_ROUNDS);
        int window = 4; // adapted: longer when the user's close wins too often, shorter when the publisher's does
        int slowLately = 0;
        publisher.start();
        try {
            for (int round = 0; round < DISCONNECT_ROUNDS; round++) {
                PullSubscription<Integer> s = hub.subscriber().overflow(Overflow.disconnect()).capacity(1).subscribe();
                long target = hub.sequence() + ThreadLocalRandom.current().nextInt(window + 1);
                long deadline = System.nanoTime() + MAX_WAIT_NANOS;
                while (hub.sequence() < target && !closes.dropped(s) && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
                s.close();
                subs.add(s);
                if (s.closeReason().orElse(null) == CloseReason.SLOW) {
                    slowLately++;
                }
                if ((round & 63) == 63) {
                    window = slowLately > 32 ? Math.max(1, window - window / 4 - 1) : Math.min(MAX_WINDOW, window + window / 4 + 1);
                    slowLately = 0;
                }
            }
        } finally {
            publisher.stop();
        }
        hub.close();

        long slow = 0;
        long lostOnClose = 0;
        long doubleOnClose = 0;
        long wrongReason = 0;
        List<String> examples = new ArrayList<>();
        for (Subscription<Integer> s : subs) {
            CloseReason reason = s.closeReason().orElse(null);
            List<CloseReason> told = closes.of(s);
            if (reason == CloseReason.SLOW) {
                slow++;
            }
            if (told.isEmpty()) {
                lostOnClose++;
            } else if (told.size() > 1) {
                doubleOnClose++;
            } else if (told.get(0) != reason) {
                wrongReason++;
            } else {
                continue;
            }
            if (examples.size() < 5) {
                examples.add("closeReason " + reason + ", onClose " + told + ", " + s.stats());
            }
        }
        HubStats hs = hub.stats();
        String summary = engine + ", " + DISCONNECT_ROUNDS + " rounds (" + slow + " SLOW, "
                + (DISCONNECT_ROUNDS - slow) + " not), " + publisher.count() + " publishes: onClose lost "
                + lostOnClose + ", called twice " + doubleOnClose + ", with another reason " + wrongReason
                + "; HubStats.disconnects " + hs.disconnects() + " vs " + slow + " SLOW\n  " + String.join("\n  ", examples);
        assertTrue(slow > DISCONNECT_ROUNDS / 50 && slow < DISCONNECT_ROUNDS - DISCONNECT_ROUNDS / 50,
                "the race was not run: " + summary);
        assertEquals(0, lostOnClose + doubleOnClose + wrongReason, summary);
        assertEquals(slow, hs.disconnects(), summary);
    }

    // ================================================================== close of a push subscription

    /** Closing threads: with the publisher and the push workers they keep both cores busy. */
    private static final int CLOSERS = 2;

    /**
     * Push subscriptions closed by {@value #CLOSERS} threads while the publisher is at full speed.
     * Once the hub has terminated, every closed subscription's books balance: offered == delivered
     * + dropped (all causes), and it holds nothing. The queue engine broke this 37-50 times per
     * 3,000 closes in the suite that found it, the ring 0-2 per 3,000. Here the queue engine
     * breaks it 10-30 times per 3,000 closes (most often under {@code latestPerKey}, whose key
     * function keeps the publisher inside the offer), the ring about once per 100,000 (a close
     * preempted between its steps), so the ring runs 100 times as many closes, within a time bound.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void pushSubscriptionClosedWhileAPublishIsInFlight_keepsItsBooks(EngineType engine) throws Exception {
        int closes = engine.isRing() ? 300_000 : 3_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(engine.isRing() ? 10 : 5);
        int spin = engine.isRing() ? 200 : 2_000; // a queue subscriber lives longer: more of its drain runs see the close
        // the key function and the handler take a while, as real ones do: the publisher spends
        // longer inside an offer, and a consumer is often behind (so it skips on the ring)
        List<Overflow> strategies = java.util.stream.Stream.of(StrategyType.values())
                .filter(engine::supports)
                .map(t -> t == StrategyType.LATEST_PER_KEY
                        ? Overflow.latestPerKey((Integer m) -> {
                            busy(KEY_NANOS);
                            return m % 10;
                        })
                        : t.overflow(Duration.ZERO)) // lossless ones never hold the publisher back
                .toList();
        Hub<Integer> hub = engine.<Integer>hub().capacity(4).build();
        Publisher publisher = new Publisher(hub);
        AtomicLong handled = new AtomicLong();
        ConcurrentLinkedQueue<Subscription<Integer>> closed = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> closers = new ArrayList<>();
        publisher.start();
        try {
            for (int c = 0; c < CLOSERS; c++) {
                closers.add(Thread.ofPlatform().name("test-closer-" + c).start(() -> {
                    try {
                        ArrayDeque<Subscription<Integer>> open = new ArrayDeque<>();
                        for (int round = 0; round < closes / CLOSERS + 4 && System.nanoTime() - deadline < 0; round++) {
                            open.add(hub.subscribe(strategies.get(round % strategies.size()), (seq, m) -> {
                                busy(HANDLER_NANOS);
                                handled.incrementAndGet();
                            }));
                            if (open.size() > 4) { // a few attached at a time; close the oldest at a random moment
                                int n = ThreadLocalRandom.current().nextInt(spin);
                                for (int i = 0; i < n; i++) {
                                    Thread.onSpinWait();
                                }
                                Subscription<Integer> s = open.poll();
                                s.close();
                                closed.add(s);
                            }
                        }
                        open.forEach(Subscription::close);
                        closed.addAll(open);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : closers) {
                t.join(30_000);
                assertTrue(!t.isAlive(), () -> t.getName() + " did not finish:" + Bounded.stackOf(t));
            }
        } finally {
            publisher.stop();
        }
        assertEquals(List.of(), List.copyOf(failures), "subscribe or close threw");
        hub.close();
        boolean terminated = hub.awaitTermination(Duration.ofSeconds(20));

        Map<String, Integer> broken = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        for (Subscription<Integer> s : closed) {
            SubscriptionStats st = s.stats();
            if (st.offered() != st.delivered() + st.dropped() || st.depth() != 0) {
                broken.merge(s.overflow().alias(), 1, Integer::sum);
                if (examples.size() < 5) {
                    examples.add(s.overflow().alias() + " " + s.closeReason().orElse(null) + ": " + st
                            + " (offered - delivered - dropped = " + (st.offered() - st.delivered() - st.dropped()) + ")");
                }
            }
        }
        int total = broken.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(terminated, "awaitTermination after hub close");
        assertEquals(0, total, engine + ": " + total + " of " + closed.size() + " closed push subscriptions out of balance ("
                + publisher.count() + " publishes, " + handled.get() + " handled), by strategy " + broken
                + ":\n  " + String.join("\n  ", examples));
    }

    // ------------------------------------------------------------------ helpers

    /** What a handler spends per message. */
    private static final long HANDLER_NANOS = 1_000;
    /** What a latestPerKey key function spends per message, on the publishing thread. */
    private static final long KEY_NANOS = 50_000;

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** Publishes at full speed until stopped; the only place that looks at what publish returns. */
    private static final class Publisher {
        private final Hub<Integer> hub;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong published = new AtomicLong();
        private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private Thread thread;

        Publisher(Hub<Integer> hub) {
            this.hub = hub;
        }

        void start() {
            thread = Thread.ofPlatform().name("test-publisher").start(() -> {
                try {
                    for (int m = 0; running.get(); m++) {
                        if (hub.publishAndReport(m).isPublished()) {
                            published.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(20_000);
            assertTrue(!thread.isAlive(), () -> "the publisher did not stop:" + Bounded.stackOf(thread));
            assertEquals(List.of(), List.copyOf(failures), "publish threw");
        }

        long count() {
            return published.get();
        }
    }

    /** Every onClose, by subscription (identity), and the last subscription that had a drop. */
    private static final class Closes implements HubListener {
        private final Map<Subscription<?>, List<CloseReason>> bySubscription =
                java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
        private volatile Subscription<?> lastDropped;

        @Override
        public void onDrop(Subscription<?> subscription, DropCause cause, long count) {
            lastDropped = subscription;
            int n = ThreadLocalRandom.current().nextInt(16); // vary which close gets there first
            for (int i = 0; i < n; i++) {
                Thread.onSpinWait();
            }
        }

        boolean dropped(Subscription<?> s) {
            return lastDropped == s;
        }

        @Override
        public void onClose(Subscription<?> subscription, CloseReason reason) {
            bySubscription.compute(subscription, (s, l) -> {
                List<CloseReason> next = l == null ? new ArrayList<>() : new ArrayList<>(l);
                next.add(reason);
                return List.copyOf(next);
            });
        }

        List<CloseReason> of(Subscription<?> s) {
            synchronized (bySubscription) {
                return bySubscription.getOrDefault(s, List.of());
            }
        }
    }
}
