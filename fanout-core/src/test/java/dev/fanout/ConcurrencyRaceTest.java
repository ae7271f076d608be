package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * Races of publish against subscribe, consume, subscription close and hub close, repeated many
 * times. Every round checks every subscriber: no duplicate, strictly increasing sequence numbers,
 * the payload that was published under each sequence number, per-publisher order, no loss for
 * lossless subscribers, and counters that add up per subscriber and per hub.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrencyRaceTest {

    /** The payload: who published it and that publisher's counter. */
    record Msg(int publisher, int counter) {
    }

    private static final Duration GENEROUS = Duration.ofSeconds(30);
    private static final long JOIN_MILLIS = 20_000;

    /** The strategies {@code engine} supports, lossless first. */
    private static List<Overflow> strategies(EngineType engine) {
        return java.util.stream.Stream.of(
                Overflow.slowProducer(GENEROUS),
                Overflow.dropOldest(),
                Overflow.dropNewest(),
                Overflow.latestOnly(),
                Overflow.latestPerKey((Msg m) -> m.publisher()),
                Overflow.disconnect()).filter(engine.engine()::supports).toList();
    }

    /** Half the repetitions run on each engine; within each, half close the hub early. */
    private static EngineType engineOf(org.junit.jupiter.api.RepetitionInfo info) {
        return (info.getCurrentRepetition() / 2) % 2 == 0 ? EngineType.QUEUES : EngineType.RING;
    }

    // ------------------------------------------------------------------ tests

    @RepeatedTest(25)
    void multiPublisher_subscribeCloseAndPublishRace_everySubscriberConsistent(
            org.junit.jupiter.api.RepetitionInfo info) throws Exception {
        new Round(engineOf(info), 3, 2_000, false, info.getCurrentRepetition() % 2 == 0).run();
    }

    @RepeatedTest(25)
    void singlePublisher_subscribeCloseAndPublishRace_everySubscriberConsistent(
            org.junit.jupiter.api.RepetitionInfo info) throws Exception {
        new Round(engineOf(info), 1, 5_000, true, info.getCurrentRepetition() % 2 == 0).run();
    }

    @RepeatedTest(20)
    void multiPublisher_hubCloseReleasesPublishersParkedInSlowProducer(org.junit.jupiter.api.RepetitionInfo info)
            throws Exception {
        closeWhileParked(engineOf(info), false, 3);
    }

    @RepeatedTest(20)
    void singlePublisher_hubCloseReleasesThePublisherParkedInSlowProducer(org.junit.jupiter.api.RepetitionInfo info)
            throws Exception {
        closeWhileParked(engineOf(info), true, 1);
    }

    // ------------------------------------------------------------------ one race round

    /** One subscription and what its consumer saw. */
    static final class Sink {
        final int id;
        final Overflow overflow;
        final boolean push;
        final boolean slow;
        final boolean initial;
        volatile Subscription<Msg> sub;
        volatile boolean closedByTest;
        // guarded by this
        private final List<Long> seqs = new ArrayList<>();
        private final List<Msg> msgs = new ArrayList<>();
        final AtomicInteger inHandler = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        Thread consumer;

        Sink(int id, Overflow overflow, boolean push, boolean slow, boolean initial) {
            this.id = id;
            this.overflow = overflow;
            this.push = push;
            this.slow = slow;
            this.initial = initial;
        }

        void record(long seq, Msg m) {
            if (inHandler.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            synchronized (this) {
                seqs.add(seq);
                msgs.add(m);
                if (slow && seqs.size() % 64 == 0) {
                    LockSupport.parkNanos(50_000);
                }
            }
            inHandler.decrementAndGet();
        }

        synchronized List<Long> seqs() {
            return new ArrayList<>(seqs);
        }

        synchronized List<Msg> msgs() {
            return new ArrayList<>(msgs);
        }

        @Override
        public String toString() {
            return "sink#" + id + "[" + overflow.alias() + (push ? ", push" : ", pull")
                    + (initial ? ", initial" : ", late") + (closedByTest ? ", closed by test" : "") + "]";
        }
    }

    static final class Round {
        final int publishers;
        final int perPublisher;
        final boolean single;
        final boolean closeEarly;
        final Hub<Msg> hub;
        final List<Sink> sinks = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicInteger ids = new AtomicInteger();
        /** seqOf[p * perPublisher + c]: the sequence number publisher p's message c got, 0 if none. */
        final AtomicLongArray seqOf;
        final AtomicBoolean publishing = new AtomicBoolean(true);

        final EngineType engine;

        Round(EngineType engine, int publishers, int perPublisher, boolean single, boolean closeEarly) {
            this.engine = engine;
            this.publishers = publishers;
            this.perPublisher = perPublisher;
            this.single = single;
            this.closeEarly = closeEarly;
            Hub.Builder<Msg> b = engine.<Msg>hub().name("race-" + engine).capacity(32)
                    .overflow(Overflow.slowProducer(GENEROUS));
            if (single) {
                b.singlePublisher();
            }
            this.hub = b.build();
            this.seqOf = new AtomicLongArray(publishers * perPublisher);
        }

        Sink attach(Overflow overflow, boolean push, boolean initial) {
            int id = ids.getAndIncrement();
            Sink sink = new Sink(id, overflow, push, id % 2 == 0, initial);
            if (push) {
                sink.sub = hub.subscribe(overflow, sink::record);
            } else {
                sink.sub = hub.subscribe(overflow);
                sink.consumer = new Thread(() -> consume(sink), "test-consumer-" + id);
            }
            sinks.add(sink);
            if (sink.consumer != null) {
                sink.consumer.start();
            }
            return sink;
        }

        void consume(Sink sink) {
            PullSubscription<Msg> s = (PullSubscription<Msg>) sink.sub; // consume runs for pull subscribers only
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            int i = 0;
            while (System.nanoTime() - deadline < 0) {
                if ((i++ & 1) == 0) {
                    Optional<Delivery<Msg>> d = s.await(Duration.ofMillis(20));
                    if (d.isPresent()) {
                        sink.record(d.get().sequence(), d.get().message());
                    } else if (s.isClosed()) {
                        return;
                    }
                } else {
                    int n = s.drain(sink::record, 1 + (i & 31));
                    if (n == 0 && s.isClosed()) {
                        return;
                    }
                }
            }
            violations.add(sink + ": consumer did not see the end of its subscription");
        }

        void run() throws Exception {
            List<Overflow> all = strategies(engine);
            for (Overflow o : all) {
                attach(o, false, true);
                attach(o, true, true);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> pubs = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int pub = p;
                pubs.add(new Thread(() -> publish(pub, start), "test-publisher-" + p));
            }
            Thread subscriber = new Thread(() -> {
                await(start);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int k = 0; k < 12 && publishing.get(); k++) {
                    LockSupport.parkNanos(rnd.nextLong(100_000, 1_000_000));
                    try {
                        attach(all.get(k % all.size()), rnd.nextBoolean(), false);
                    } catch (IllegalStateException closed) {
                        if (!hub.isClosed()) {
                            violations.add("subscribe failed on an open hub: " + closed);
                        }
                        return;
                    }
                }
            }, "test-subscriber");
            Thread closer = new Thread(() -> {
                await(start);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int k = 0; k < 8 && publishing.get(); k++) {
                    LockSupport.parkNanos(rnd.nextLong(200_000, 4_000_000));
                    // keep the first two initial subscribers (lossless pull and push) open to the end
                    List<Sink> snapshot = List.copyOf(sinks);
                    Sink victim = snapshot.get(2 + rnd.nextInt(snapshot.size() - 2));
                    victim.closedByTest = true;
                    victim.sub.close();
                }
                if (closeEarly) {
                    LockSupport.parkNanos(rnd.nextLong(0, 3_000_000));
                    hub.close();
                }
            }, "test-closer");
            pubs.forEach(Thread::start);
            subscriber.start();
            closer.start();
            start.countDown();
            for (Thread t : pubs) {
                join(t);
            }
            publishing.set(false);
            join(subscriber);
            join(closer);
            hub.close();
            for (Sink s : sinks) {
                if (s.consumer != null) {
                    join(s.consumer);
                }
            }
            assertTrue(hub.awaitTermination(Duration.ofSeconds(20)), "push subscriptions did not terminate");
            check();
        }

        void publish(int pub, CountDownLatch start) {
            await(start);
            for (int c = 0; c < perPublisher; c++) {
                PublishResult r = hub.publishAndReport(new Msg(pub, c));
                if (!r.isPublished()) {
                    if (!hub.isClosed()) {
                        violations.add("publish refused on an open hub: " + r);
                    }
                    return;
                }
                seqOf.set(pub * perPublisher + c, r.sequence());
                int outcomes = r.accepted() + r.dropped(DropCause.NEWEST) + r.dropped(DropCause.TIMEOUT)
                        + r.disconnected() + r.dropped(DropCause.CLOSED);
                if (outcomes != r.subscribers()) {
                    violations.add("outcomes do not add up: " + r);
                }
                if (r.timedOut() != 0) {
                    violations.add("a lossless subscriber timed out with a generous wait: " + r);
                }
            }
        }

        void check() {
            assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
            long published = hub.sequence();
            if (!closeEarly) {
                assertEquals((long) publishers * perPublisher, published, "every publish got a sequence number");
            }
            // the sequence numbers handed out are exactly 1..published, each once
            boolean[] seen = new boolean[(int) published + 1];
            int count = 0;
            for (int i = 0; i < seqOf.length(); i++) {
                long s = seqOf.get(i);
                if (s != 0) {
                    assertTrue(s <= published && !seen[(int) s], "sequence " + s + " handed out twice or out of range");
                    seen[(int) s] = true;
                    count++;
                }
            }
            assertEquals(published, count, "published results vs hub sequence");

            long offered = 0;
            long delivered = 0;
            long[] drops = new long[DropCause.values().length];
            int slowClosed = 0;
            for (Sink sink : sinks) {
                checkSink(sink, published);
                SubscriptionStats st = sink.sub.stats();
                offered += st.offered();
                delivered += st.delivered();
                for (DropCause c : DropCause.values()) {
                    drops[c.ordinal()] += st.dropped(c);
                }
                if (sink.sub.closeReason().orElse(null) == CloseReason.SLOW) {
                    slowClosed++;
                }
            }
            HubStats hs = hub.stats();
            assertEquals(published, hs.published(), "hub published");
            assertEquals(0, hs.subscribers(), "subscribers attached after close");
            assertEquals(0, hub.subscriberCount());
            assertEquals(sinks.size(), hs.subscribed(), "subscriptions ever attached");
            assertEquals(slowClosed, hs.disconnects(), "disconnects");
            assertEquals(offered, hs.offered(), "hub offered == sum over subscriptions");
            assertEquals(delivered, hs.delivered(), "hub delivered == sum over subscriptions");
            for (DropCause c : DropCause.values()) {
                assertEquals(drops[c.ordinal()], hs.dropped(c), "hub drops " + c + " == sum over subscriptions");
            }
        }

        void checkSink(Sink sink, long published) {
            Subscription<Msg> s = sink.sub;
            SubscriptionStats st = s.stats();
            List<Long> seqs = sink.seqs();
            List<Msg> msgs = sink.msgs();
            String who = sink + " " + st;
            assertEquals(0, sink.overlaps.get(), who + ": handler ran concurrently with itself");
            assertEquals(seqs.size(), st.delivered(), who + ": delivered counter vs what the consumer saw");
            assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(),
                    who + ": offered == delivered + dropped + depth");
            assertTrue(s.isClosed() || sink.closedByTest, who + ": not ended after hub close");
            long prev = 0;
            int[] lastCounter = new int[publishers];
            java.util.Arrays.fill(lastCounter, -1);
            for (int i = 0; i < seqs.size(); i++) {
                long seq = seqs.get(i);
                Msg m = msgs.get(i);
                if (seq <= prev) {
                    fail(who + ": sequence " + seq + " after " + prev + " (duplicate or reordered)");
                }
                if (seq > published) {
                    fail(who + ": sequence " + seq + " beyond the last published " + published);
                }
                if (seqOf.get(m.publisher() * perPublisher + m.counter()) != seq) {
                    fail(who + ": delivery " + seq + " carries " + m + ", published as sequence "
                            + seqOf.get(m.publisher() * perPublisher + m.counter()));
                }
                if (m.counter() <= lastCounter[m.publisher()]) {
                    fail(who + ": publisher " + m.publisher() + " counter " + m.counter() + " after "
                            + lastCounter[m.publisher()]);
                }
                lastCounter[m.publisher()] = m.counter();
                if (sink.overflow.lossless() && prev != 0 && seq != prev + 1) {
                    fail(who + ": lossless subscriber skipped from " + prev + " to " + seq);
                }
                prev = seq;
            }
            boolean slowClosed = s.closeReason().orElse(null) == CloseReason.SLOW;
            if (sink.initial && !sink.closedByTest && !slowClosed) {
                assertEquals(published, st.offered(), who + ": an initial subscriber was offered everything");
            }
            if (!sink.closedByTest) {
                CloseReason reason = s.closeReason().orElseThrow(() -> new AssertionError(who + ": no close reason"));
                if (reason == CloseReason.SLOW) {
                    assertTrue(sink.overflow instanceof Overflow.Disconnect, who + ": SLOW without disconnect");
                    assertTrue(st.disconnected() > 0, who + ": SLOW without a DISCONNECTED drop");
                } else {
                    assertEquals(CloseReason.HUB_CLOSED, reason, who);
                    assertEquals(0, st.depth(), who + ": drained after hub close");
                }
            }
            if (sink.overflow.lossless()) {
                assertEquals(0, st.timedOut(), who + ": timeouts");
                if (!sink.closedByTest) {
                    // everything from its first sequence on, but the publish parked at a hub close
                    assertEquals(st.offered(), st.delivered() + st.closed(), who + ": lossless loss");
                    assertTrue(st.closed() <= 1, who + ": more than the one parked message dropped at hub close");
                    if (!seqs.isEmpty()) {
                        assertEquals(published, prev + st.closed(), who + ": last delivery");
                    }
                    if (!closeEarly) {
                        assertEquals(0, st.closed(), who + ": CLOSED drops without an early close");
                    }
                }
            }
            if (sink.overflow.lossless() && sink.initial && !seqs.isEmpty()) {
                assertEquals(1L, seqs.get(0), who + ": a lossless initial subscriber starts at sequence 1");
            }
        }
    }

    // ------------------------------------------------------------------ hub close vs parked publishers

    void closeWhileParked(EngineType engine, boolean single, int publishers) throws Exception {
        Hub.Builder<Integer> b = engine.<Integer>hub().name("park").capacity(4)
                .overflow(Overflow.slowProducer(Duration.ofSeconds(60)));
        if (single) {
            b.singlePublisher();
        }
        Hub<Integer> hub = b.build();
        PullSubscription<Integer> stalledPull = hub.subscribe();
        CountDownLatch release = new CountDownLatch(1);
        List<Long> pushed = new CopyOnWriteArrayList<>();
        Subscription<Integer> stalledPush = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(60)), (seq, m) -> {
            await(release);
            pushed.add(seq);
        });
        List<List<PublishResult>> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            List<PublishResult> mine = new CopyOnWriteArrayList<>();
            results.add(mine);
            threads.add(new Thread(() -> {
                while (true) {
                    PublishResult r = hub.publishAndReport(1);
                    mine.add(r);
                    if (!r.isPublished()) {
                        return;
                    }
                }
            }, "test-parked-publisher-" + p));
        }
        threads.forEach(Thread::start);
        // a publish has begun offering to the full pull subscriber (on the ring: announced itself
        // before parking for room): it is parked, or about to park
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (hub.waitingPublisher() == null) {
            assertTrue(System.nanoTime() - deadline < 0, "publishers never filled the subscriber");
            LockSupport.parkNanos(100_000);
        }
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(0, 2_000_000)); // vary the race
        hub.close();
        for (Thread t : threads) {
            t.join(JOIN_MILLIS);
            assertFalse(t.isAlive(), t.getName() + " still in publish after hub close");
        }
        long published = hub.sequence();
        int closedDrops = 0;
        for (List<PublishResult> mine : results) {
            assertFalse(mine.isEmpty());
            PublishResult last = mine.get(mine.size() - 1);
            assertEquals(PublishResult.Status.HUB_CLOSED, last.status(), "a publisher's last result");
            for (PublishResult r : mine.subList(0, mine.size() - 1)) {
                assertTrue(r.isPublished(), r::toString);
                assertEquals(2, r.subscribers(), r::toString);
                assertEquals(0, r.timedOut(), r::toString);
                assertEquals(r.subscribers(), r.accepted() + r.dropped(DropCause.CLOSED),
                        () -> "accepted or dropped(CLOSED): " + r);
                if (r.dropped(DropCause.CLOSED) > 0) {
                    closedDrops += r.dropped(DropCause.CLOSED);
                    assertEquals(published, r.sequence(), "only the last publish can have been parked: " + r);
                }
            }
        }
        assertTrue(closedDrops >= 1, "the parked publish reported no dropped(CLOSED)");

        // the subscriptions deliver what they hold, then end
        List<Long> pulled = new ArrayList<>();
        Optional<Delivery<Integer>> d;
        while ((d = stalledPull.await(Duration.ofSeconds(5))).isPresent()) {
            pulled.add(d.get().sequence());
        }
        assertTrue(stalledPull.isClosed());
        assertEquals(java.util.stream.LongStream.rangeClosed(1, stalledPull.capacity()).boxed().toList(), pulled,
                "the pull subscriber's buffer after hub close");
        release.countDown();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)), "push subscription did not terminate");
        for (int i = 0; i < pushed.size(); i++) {
            assertEquals(i + 1, pushed.get(i), "push deliveries contiguous from 1");
        }
        long hubClosedDrops = 0;
        for (Subscription<Integer> s : List.of(stalledPull, stalledPush)) {
            SubscriptionStats st = s.stats();
            assertEquals(st.offered(), st.delivered() + st.dropped(DropCause.CLOSED), st::toString);
            assertEquals(0, st.depth(), st::toString);
            assertEquals(CloseReason.HUB_CLOSED, s.closeReason().orElseThrow());
            hubClosedDrops += st.closed();
        }
        assertEquals(closedDrops, hubClosedDrops, "CLOSED drops reported by publish vs counted by subscriptions");
        assertEquals(closedDrops, hub.stats().closed(), "CLOSED drops counted by the hub");
        assertEquals(published, stalledPull.stats().offered());
    }

    // ------------------------------------------------------------------ helpers

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void join(Thread t) throws InterruptedException {
        t.join(JOIN_MILLIS);
        if (t.isAlive()) {
            StringBuilder sb = new StringBuilder(t.getName() + " did not finish:");
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("\n  at ").append(e);
            }
            fail(sb.toString());
        }
    }
}
