package dev.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Issue 3: resume from a sequence against a live publisher, property-based, on both engines. A
 * publisher thread publishes 1..N without pause while subscribers attach at random moments with
 * {@code resumeAfter(seq)} for a random {@code seq} behind the hub (History.last(64)), or with
 * {@code startWithLatest()}. All are lossless with a generous wait, so each must see exactly:
 * <ul>
 *   <li>without a start gap: seq+1 .. N, no gap and no duplicate at the seam between replay and
 *       live;</li>
 *   <li>with one ({@code seq} older than the history): the latest message at the time it
 *       attached, then everything after it; a gap is reported whenever seq was more than the
 *       history behind;</li>
 *   <li>startWithLatest: the latest at that time, then everything after it.</li>
 * </ul>
 */
class ResumePropertyTest {

    /** The publisher goes on this long after the last subscriber attached. */
    private static final int TAIL = 500;
    private static final int KEPT = 64;
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    /** One subscriber: how far behind it resumed (-1: startWithLatest) and what it saw. */
    private static final class Resumer {
        final int back;
        long seq;          // the resume point
        long before;       // the hub's sequence just before it attached
        long after;        // and just after
        PullSubscription<Integer> sub;
        final List<Long> got = new ArrayList<>();
        final List<Integer> messages = new ArrayList<>();
        Thread reader;

        Resumer(int back) {
            this.back = back;
        }
    }

    @Property(tries = 40)
    void resumeUnderALivePublisher_noGapNoDuplicate_orAStartGap(
            @ForAll boolean ring,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = -1, max = 2 * KEPT) Integer> backs,
            @ForAll @IntRange(min = 0, max = 5) int spacing) throws Exception {
        Engine engine = ring ? Engine.ring(16) : Engine.queues();
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine).capacity(16).history(History.last(KEPT))
                .overflow(Overflow.slowProducer(GENEROUS)).build();
        java.util.concurrent.atomic.AtomicLong stopAt = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        Thread publisher = Thread.ofPlatform().name("test-resume-publisher").start(() -> {
            for (long i = 1; i <= stopAt.get(); i++) {
                hub.publish((int) i * 7); // message = 7 * sequence
            }
        });
        List<Resumer> resumers = new ArrayList<>();
        try {
            for (int b : backs) {
                // attach at some moment of the run, at least two histories' worth in
                long at = Math.max(2L * KEPT, hub.sequence() + spacing * 50L);
                while (hub.sequence() < at) {
                    Thread.onSpinWait();
                }
                Resumer r = new Resumer(b);
                r.before = hub.sequence();
                r.seq = Math.max(0, r.before - Math.max(0, b));
                r.sub = b < 0 ? hub.subscriber().startWithLatest().subscribe()
                        : hub.subscriber().resumeAfter(r.seq).subscribe();
                r.after = hub.sequence();
                r.reader = Thread.ofPlatform().name("test-resumer").start(() -> read(r));
                resumers.add(r);
            }
            stopAt.set(hub.sequence() + TAIL);
            publisher.join(30_000);
            check(!publisher.isAlive(), "publisher stuck");
        } finally {
            stopAt.set(0);
            hub.close(); // the subscriptions deliver what they hold, then end
        }
        long n = hub.sequence();
        for (Resumer r : resumers) {
            r.reader.join(30_000);
            check(!r.reader.isAlive(), "reader did not see the end");
        }
        for (Resumer r : resumers) {
            String who = (ring ? "ring" : "queues") + " back=" + r.back + " seq=" + r.seq + " attached in ["
                    + r.before + ", " + r.after + "] gap=" + r.sub.startGap() + " first=" + (r.got.isEmpty() ? "-" : r.got.get(0));
            check(!r.got.isEmpty(), who + ": got nothing");
            for (int i = 0; i < r.got.size(); i++) {
                check(r.messages.get(i) == r.got.get(i) * 7, who + ": message of " + r.got.get(i));
                if (i > 0) {
                    check(r.got.get(i) == r.got.get(i - 1) + 1, who + ": " + r.got.get(i - 1) + " then " + r.got.get(i));
                }
            }
            check(r.got.get(r.got.size() - 1) == n, who + ": last, of " + n);
            long first = r.got.get(0);
            if (r.back < 0) {
                check(!r.sub.startGap(), who + ": startWithLatest reports no gap");
                // sequence() counts a publish from its start, the latest message from its end: one may be in flight
                check(first >= Math.max(1, r.before - 1) && first <= Math.max(1, r.after), who + ": starts with the latest");
            } else if (!r.sub.startGap()) {
                check(first == r.seq + 1, who + ": resumes right after seq");
                check(r.after - r.seq <= KEPT + 1 + (r.after - r.before), who + ": no gap but seq was older than the history");
            } else {
                // a gap: seq older than the history, or seq is the publish still in flight
                check(r.seq + KEPT < r.after || r.seq >= r.before, who + ": a gap although the history reached back to seq");
                check(first >= r.before - 1 && first <= r.after, who + ": a gap starts with the latest");
            }
            if (r.back > KEPT + 1) { // + 1: the publish in flight
                check(r.sub.startGap() || r.seq == 0 && r.before <= KEPT, who + ": more than the history behind but no gap");
            }
            SubscriptionStats st = r.sub.stats();
            check(st.dropped() == 0, who + ": lossless dropped " + st);
        }
    }

    /**
     * The narrowest seam: resume after exactly {@code hub.sequence()} while that publish may
     * still be in flight (its number given, not yet in the history). Never the same message
     * again: either nothing before the next one, or a start gap.
     */
    @net.jqwik.api.Example
    void resumeAfterTheCurrentSequence_underALivePublisher_neverRedeliversIt() throws Exception {
        for (boolean ring : new boolean[] {false, true}) {
            Hub<Integer> hub = Hub.<Integer>builder().engine(ring ? Engine.ring(16) : Engine.queues()).capacity(16)
                    .history(History.last(KEPT)).overflow(Overflow.dropOldest()).build();
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread publisher = Thread.ofPlatform().name("test-seam-publisher").start(() -> {
                for (int i = 1; running.get(); i++) {
                    hub.publish(i);
                }
            });
            try {
                for (int k = 0; k < 3_000; k++) {
                    long seq = hub.sequence();
                    PullSubscription<Integer> s = hub.subscriber().resumeAfter(seq).subscribe();
                    Optional<Delivery<Integer>> d = s.await(Duration.ofSeconds(5));
                    check(d.isPresent(), "nothing delivered");
                    check(s.startGap() || d.get().sequence() > seq, (ring ? "ring" : "queues") + ": resumed after "
                            + seq + " but got " + d.get().sequence() + " again, without a start gap");
                    s.close();
                }
            } finally {
                running.set(false);
                publisher.join(10_000);
                hub.close();
            }
        }
    }

    private static void read(Resumer r) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            Optional<Delivery<Integer>> d = r.sub.await(Duration.ofMillis(50));
            if (d.isPresent()) {
                r.got.add(d.get().sequence());
                r.messages.add(d.get().message());
            } else if (r.sub.isClosed()) {
                return;
            }
            if ((r.got.size() & 255) == 0) {
                LockSupport.parkNanos(10_000); // now and then slower than the publisher
            }
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
