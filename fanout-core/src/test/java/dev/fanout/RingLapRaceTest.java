package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The ring's memory-ordering claim, tested by a race that would catch a violation: "a lapped
 * subscriber never gets a slot overwritten by a later lap as if it were the one expected".
 *
 * <p>A publisher thread publishes as fast as it can into a small ring (8 or 16 slots), so it laps
 * its readers all the time. Several subscribers read at random paces (spinning polls, drains of
 * random size, awaits, sleeps between reads, push handlers that sometimes stall), under every
 * strategy the ring supports; the lossless one has a tiny wait, so it is demoted and rejoins
 * over and over. Each message is derived from its sequence number with a checksum, so every
 * received (sequence, message) pair is checked; sequence numbers must strictly increase, and at
 * the end every subscriber's counters must add up exactly: what it did not receive it counted
 * as dropped, no more and no less.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingLapRaceTest {

    /** How long one round publishes; the whole class stays within a few seconds. */
    private static final long ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int MIN_MESSAGES = 20_000;
    private static final int MAX_MESSAGES = 2_000_000;

    /** A message derived from its sequence: a lapped slot read as the expected one shows as a mismatch. */
    record Msg(long seq, long mixed, long check) {
        static Msg of(long seq) {
            long mixed = mix(seq);
            return new Msg(seq, mixed, seq ^ Long.rotateLeft(mixed, 17) ^ 0x5DEECE66DL);
        }

        boolean consistentWith(long sequence) {
            return seq == sequence && mixed == mix(sequence) && check == (sequence ^ Long.rotateLeft(mixed, 17) ^ 0x5DEECE66DL);
        }

        private static long mix(long z) { // SplitMix64's finaliser
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    private enum Pace { SPIN_POLL, DRAIN, AWAIT, SLEEPY, PUSH }

    /** One subscriber and what it saw. */
    private static final class Reader {
        final String name;
        final Overflow overflow;
        final Pace pace;
        final ConcurrentLinkedQueue<String> violations;
        Subscription<Msg> sub;
        // the consumer's own: a single thread reads (push handlers run one at a time, in order)
        long last;
        long received;
        long gaps; // messages between consecutive deliveries (and before the first) that it did not get
        long first = -1;
        Thread thread;

        Reader(String name, Overflow overflow, Pace pace, ConcurrentLinkedQueue<String> violations) {
            this.name = name;
            this.overflow = overflow;
            this.pace = pace;
            this.violations = violations;
        }

        void accept(long seq, Msg m) {
            if (!m.consistentWith(seq)) {
                violations.add(this + ": sequence " + seq + " carries " + m + " (a slot of another lap)");
            }
            if (seq <= last) {
                violations.add(this + ": sequence " + seq + " after " + last);
            } else {
                gaps += seq - last - 1;
            }
            if (first < 0) {
                first = seq;
            }
            last = seq;
            received++;
        }

        @Override
        public String toString() {
            return name + "[" + overflow.alias() + ", " + pace + "]";
        }
    }

    @RepeatedTest(8)
    void lappedReaders_neverGetAForeignSlot_andCountEveryMessageTheyMissed(RepetitionInfo info) throws Exception {
        int ringSize = info.getCurrentRepetition() <= 4 ? 8 : 16;
        // capacity 4: lossy readers skip ahead early; capacity = ring size: they read the slot
        // the publisher is about to overwrite, the narrowest window
        int capacity = info.getCurrentRepetition() % 2 == 0 ? ringSize : 4;
        Hub<Msg> hub = Hub.<Msg>builder().name("lap-race").engine(Engine.ring(ringSize)).capacity(capacity)
                .overflow(Overflow.dropOldest()).singlePublisher().build();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        List<Reader> readers = new ArrayList<>();
        Overflow[] lossy = {Overflow.dropOldest(), Overflow.latestOnly(), Overflow.dropOldest(), Overflow.latestOnly()};
        Pace[] paces = Pace.values();
        for (int i = 0; i < 10; i++) {
            Overflow o = lossy[i % lossy.length];
            readers.add(new Reader("r" + i, o, paces[i % paces.length], violations));
        }
        // lossless with a tiny wait: demoted on almost every lap, then rejoins
        readers.add(new Reader("lossless-spin", Overflow.slowProducer(Duration.ofNanos(1)), Pace.SPIN_POLL, violations));
        readers.add(new Reader("lossless-sleepy", Overflow.slowProducer(Duration.ofMillis(1)), Pace.SLEEPY, violations));
        readers.add(new Reader("lossless-push", Overflow.slowProducer(Duration.ofNanos(1)), Pace.PUSH, violations));
        // disconnect: closed SLOW when lapped, never handed a foreign slot before that
        readers.add(new Reader("disconnect", Overflow.disconnect(), Pace.SLEEPY, violations));

        long seed = System.nanoTime();
        for (Reader r : readers) {
            if (r.pace == Pace.PUSH) {
                SplittableRandom rnd = new SplittableRandom(seed ^ r.name.hashCode());
                r.sub = hub.subscribe(r.overflow, (seq, m) -> {
                    r.accept(seq, m);
                    pause(rnd);
                });
            } else {
                r.sub = hub.subscribe(r.overflow);
                r.thread = Thread.ofPlatform().name("test-lap-" + r.name).start(() -> consume(r, seed));
            }
        }

        AtomicLong published = new AtomicLong();
        Thread publisher = Thread.ofPlatform().name("test-lap-publisher").start(() -> {
            long deadline = System.nanoTime() + ROUND_NANOS;
            for (long s = 1; s <= MAX_MESSAGES && (s <= MIN_MESSAGES || System.nanoTime() - deadline < 0); s++) {
                PublishResult r = hub.publishAndReport(Msg.of(s));
                if (r.sequence() != s) {
                    violations.add("publish " + s + " got sequence " + r.sequence() + ": " + r);
                    return;
                }
                published.set(s);
            }
        });
        publisher.join(30_000);
        assertTrue(!publisher.isAlive(), "publisher stuck");
        hub.close();
        for (Reader r : readers) {
            if (r.thread != null) {
                r.thread.join(20_000);
                assertTrue(!r.thread.isAlive(), r + " did not see the end of its subscription");
            }
        }
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)), "push subscriptions did not terminate");
        assertTrue(violations.isEmpty(), () -> "seed " + seed + "\n" + String.join("\n", violations));

        long n = published.get();
        assertTrue(n >= MIN_MESSAGES, "published " + n);
        long lapped = 0;
        for (Reader r : readers) {
            SubscriptionStats st = r.sub.stats();
            String who = r + " " + st + " first=" + r.first + " last=" + r.last + " gaps=" + r.gaps;
            assertEquals(r.received, st.delivered(), who + ": delivered vs received");
            assertEquals(0, st.depth(), who + ": drained");
            assertEquals(st.offered(), st.delivered() + st.dropped(), who + ": offered == delivered + dropped");
            if (r.overflow instanceof Overflow.Disconnect) {
                if (r.sub.closeReason().orElseThrow() == CloseReason.SLOW) {
                    assertEquals(st.offered(), r.received + st.disconnected(), who);
                    continue;
                }
            }
            assertEquals(CloseReason.HUB_CLOSED, r.sub.closeReason().orElseThrow(), who);
            assertEquals(n, st.offered(), who + ": attached before the first publish, offered everything");
            assertEquals(n, r.last, who + ": the last message is never dropped");
            // what it did not receive is exactly what it counted as dropped
            long missed = n - r.received;
            assertEquals(missed, st.dropped(), who + ": missed vs dropped");
            assertEquals(missed, r.gaps, who + ": missed vs the gaps in its sequence numbers");
            DropCause cause = switch (r.overflow) {
                case Overflow.DropOldest o -> DropCause.OLDEST;
                case Overflow.LatestOnly o -> DropCause.SUPERSEDED;
                default -> DropCause.TIMEOUT;
            };
            assertEquals(st.dropped(), st.dropped(cause), who + ": drops by " + cause);
            lapped += st.dropped();
        }
        assertTrue(lapped > 0, "no reader was ever lapped: the race did not race");
    }

    private static void consume(Reader r, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ r.name.hashCode());
        PullSubscription<Msg> s = (PullSubscription<Msg>) r.sub; // consume runs for pull readers only
        while (true) {
            switch (r.pace) {
                case SPIN_POLL -> {
                    Optional<Delivery<Msg>> d = s.poll();
                    if (d.isPresent()) {
                        r.accept(d.get().sequence(), d.get().message());
                    } else if (s.isClosed()) {
                        return;
                    } else {
                        Thread.onSpinWait();
                    }
                }
                case DRAIN -> {
                    if (s.drain(r::accept, 1 + rnd.nextInt(12)) == 0) {
                        if (s.isClosed()) {
                            return;
                        }
                        Thread.yield();
                    }
                }
                case AWAIT -> {
                    Optional<Delivery<Msg>> d = s.await(Duration.ofMillis(5));
                    if (d.isPresent()) {
                        r.accept(d.get().sequence(), d.get().message());
                    } else if (s.isClosed()) {
                        return;
                    }
                }
                default -> { // SLEEPY: a burst, then a pause
                    int n = s.drain(r::accept, 1 + rnd.nextInt(4));
                    if (n == 0 && s.isClosed()) {
                        return;
                    }
                    pause(rnd);
                }
            }
        }
    }

    /** Mostly nothing, sometimes a yield, a short park or a longer one. */
    private static void pause(SplittableRandom rnd) {
        int k = rnd.nextInt(100);
        if (k < 60) {
            return;
        } else if (k < 80) {
            Thread.yield();
        } else if (k < 97) {
            LockSupport.parkNanos(rnd.nextLong(1_000, 50_000));
        } else {
            LockSupport.parkNanos(rnd.nextLong(100_000, 2_000_000));
        }
    }

}
