package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fanout.spi.HubListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of every {@link Overflow} strategy at the boundary, single-threaded and exact:
 * fill a small buffer, publish one more, and check what is kept, what is dropped and what the
 * result, the counters and the listener say. Then the lifecycle (close of hub and
 * subscription), guarded callbacks and argument validation.
 */
@Timeout(60)
class OverflowContractTest {

    private static final int CAPACITY = 4;
    private static final Duration NO_WAIT = Duration.ZERO;
    private static final Duration LONG_WAIT = Duration.ofMinutes(5);

    // ================================================================== the boundary, per strategy

    /**
     * What one strategy does when a full buffer (messages 1..fill) gets message fill+1: the
     * publish's result ({@code accepted}, {@code lastDrops}), the subscription's counters before
     * it reads ({@code dropsBefore}, {@code depthBefore}), what it then reads and its final drops.
     */
    private record Expected(int fill, int accepted, Map<DropCause, Long> lastDrops, Map<DropCause, Long> dropsBefore,
                            int depthBefore, boolean detachedByPublish, Map<DropCause, Long> finalDrops,
                            List<Delivery<Integer>> kept, Optional<CloseReason> reason, boolean detached) {
        Expected(int accepted, Map<DropCause, Long> lastDrops, Map<DropCause, Long> finalDrops,
                 List<Delivery<Integer>> kept, Optional<CloseReason> reason, boolean detached, int c) {
            this(c, accepted, lastDrops, lastDrops, c, reason.filter(CloseReason.SLOW::equals).isPresent(),
                    finalDrops, kept, reason, detached);
        }
    }

    private static Expected expected(EngineType engine, StrategyType type, int c) {
        return engine.isRing() ? expectedOnRing(type, c) : expected(type, c);
    }

    /**
     * The ring's boundary: the same counts as the queue engine's. The publisher does not look at
     * lossy subscribers, so the publish reports them accepted; their skip shows in their
     * counters at once (they count it when they next read). A lossless subscriber holds its
     * capacity as on the queue engine, and the publish that gives up waiting makes it lose a
     * message, counted TIMEOUT, the oldest it held rather than the new one: the new one is in
     * the ring's slot. A {@code disconnect} subscriber is found too slow when it next reads (or
     * at the once-per-lap sweep): closed SLOW as of the message that overflowed it, with what it
     * held and that message counted DISCONNECTED.
     */
    private static Expected expectedOnRing(StrategyType type, int c) {
        int n = c + 1;
        Map<DropCause, Long> none = Map.of();
        return switch (type) {
            case SLOW_PRODUCER -> new Expected(c, 0, drops(DropCause.TIMEOUT, 1), drops(DropCause.TIMEOUT, 1), c,
                    false, drops(DropCause.TIMEOUT, 1), deliveries(2, n), Optional.empty(), false);
            case DROP_OLDEST -> new Expected(c, 1, none, drops(DropCause.OLDEST, 1), c, false,
                    drops(DropCause.OLDEST, 1), deliveries(2, n), Optional.empty(), false);
            case LATEST_ONLY -> new Expected(c, 1, none, drops(DropCause.SUPERSEDED, 1), c, false,
                    drops(DropCause.SUPERSEDED, 1), deliveries(2, n), Optional.empty(), false);
            case DISCONNECT -> new Expected(c, 1, none, none, n, false, drops(DropCause.DISCONNECTED, n),
                    List.of(), Optional.of(CloseReason.SLOW), true);
            default -> throw new IllegalArgumentException("the ring refuses " + type);
        };
    }

    private static Expected expected(StrategyType type, int c) {
        int n = c + 1;
        return switch (type) {
            case SLOW_PRODUCER -> new Expected(0, drops(DropCause.TIMEOUT, 1), drops(DropCause.TIMEOUT, 1),
                    deliveries(1, c), Optional.empty(), false, c);
            case DROP_OLDEST -> new Expected(1, drops(DropCause.OLDEST, 1), drops(DropCause.OLDEST, 1),
                    deliveries(2, n), Optional.empty(), false, c);
            case DROP_NEWEST -> new Expected(0, drops(DropCause.NEWEST, 1), drops(DropCause.NEWEST, 1),
                    deliveries(1, c), Optional.empty(), false, c);
            case LATEST_ONLY -> new Expected(1, drops(DropCause.SUPERSEDED, 1), drops(DropCause.SUPERSEDED, 1),
                    deliveries(2, n), Optional.empty(), false, c);
            case LATEST_PER_KEY -> new Expected(1, drops(DropCause.OLDEST, 1), drops(DropCause.OLDEST, 1),
                    deliveries(2, n), Optional.empty(), false, c);
            // the message that found it full, and the c it held: an ended subscription counts
            // what it holds as dropped at once
            case DISCONNECT -> new Expected(c, 0, drops(DropCause.DISCONNECTED, 1), drops(DropCause.DISCONNECTED, n),
                    0, true, drops(DropCause.DISCONNECTED, n), List.of(), Optional.of(CloseReason.SLOW), true);
            // consumed by closing the hub and letting the workers drain
            case ELASTIC_WORKERS -> new Expected(0, drops(DropCause.TIMEOUT, 1), drops(DropCause.TIMEOUT, 1),
                    deliveries(1, c), Optional.of(CloseReason.HUB_CLOSED), true, c);
        };
    }

    static Stream<Arguments> supportedPairs() {
        return EngineType.supportedPairs();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("supportedPairs")
    void fullBuffer_oneMorePublish_keepsDropsAndCountsAsTheStrategySays(EngineType engine, StrategyType type)
            throws Exception {
        RecordingListener listener = new RecordingListener();
        GatedExecutor executor = new GatedExecutor(); // push workers start only when the test opens the gate
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).listener(listener).executor(executor).build();
        Queue pushed = new Queue();
        Subscription<Integer> sub = type.pushOnly()
                ? hub.subscribe(type.overflow(NO_WAIT), pushed::add)
                : hub.subscribe(type.overflow(NO_WAIT));
        int c = sub.capacity();
        assertEquals(type == StrategyType.LATEST_ONLY ? 1 : CAPACITY, c, "capacity");

        Expected e = expected(engine, type, c);
        int fill = e.fill();
        for (int m = 1; m <= fill; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(m, r.sequence());
            assertEquals(1, r.subscribers());
            assertEquals(1, r.accepted(), () -> "filling: " + r);
            assertEquals(0, r.dropped(), () -> "filling: " + r);
        }
        PublishResult last = hub.publishAndReport(fill + 1);

        assertAll("the publish that found the buffer full: " + last,
                () -> assertEquals(PublishResult.Status.PUBLISHED, last.status()),
                () -> assertEquals(fill + 1, last.sequence()),
                () -> assertEquals(1, last.subscribers()),
                () -> assertEquals(e.accepted(), last.accepted()),
                () -> assertEquals(e.accepted() == 1, last.allAccepted()),
                () -> assertEquals(e.lastDrops(), dropsOf(last)),
                () -> assertEquals((long) e.lastDrops().getOrDefault(DropCause.TIMEOUT, 0L), last.timedOut()),
                () -> assertEquals((long) e.lastDrops().getOrDefault(DropCause.DISCONNECTED, 0L), last.disconnected()),
                () -> assertOutcomesAddUp(last));

        SubscriptionStats before = sub.stats();
        assertAll("subscription before consuming: " + before,
                () -> assertEquals(fill + 1, before.offered()),
                () -> assertEquals(0, before.delivered()),
                () -> assertEquals(e.dropsBefore(), dropsOf(before)),
                () -> assertEquals(e.depthBefore(), before.depth()),
                () -> assertEquals(c, before.highWaterDepth()),
                () -> assertEquals(c, before.capacity()),
                () -> assertEquals(fill + 1, before.lag()),
                () -> assertBalanced(before));
        assertEquals(e.detachedByPublish() ? 0 : 1, hub.subscriberCount(), "attached after the publish");

        List<Delivery<Integer>> kept;
        if (type.pushOnly()) {
            executor.open();
            hub.close();
            assertTrue(hub.awaitTermination(Duration.ofSeconds(30)), "push workers end after draining");
            kept = pushed.sorted(); // elastic workers deliver in no particular order
        } else {
            kept = pollAll(sub);
        }

        assertEquals(e.kept(), kept, "kept");
        SubscriptionStats after = sub.stats();
        long lastTaken = kept.isEmpty() ? 0 : kept.get(kept.size() - 1).sequence();
        assertAll("subscription after consuming: " + after,
                () -> assertEquals(fill + 1, after.offered()),
                () -> assertEquals(kept.size(), after.delivered()),
                () -> assertEquals(e.finalDrops(), dropsOf(after)),
                () -> assertEquals(0, after.depth()),
                () -> assertEquals(c, after.highWaterDepth()),
                // elastic workers take in no particular order, so "the last taken" is not defined there
                () -> assertEquals(type.pushOnly() ? sub.lastSequence() : lastTaken, sub.lastSequence()),
                () -> assertEquals(fill + 1 - sub.lastSequence(), after.lag()),
                () -> assertBalanced(after),
                () -> assertEquals(e.reason(), sub.closeReason()),
                () -> assertEquals(e.reason().isPresent(), sub.isClosed()));
        HubStats hs = hub.stats();
        assertAll("hub: " + hs,
                () -> assertEquals(fill + 1, hs.published()),
                () -> assertEquals(e.detached() ? 0 : 1, hs.subscribers()),
                () -> assertEquals(1, hs.subscribed()),
                () -> assertEquals(type == StrategyType.DISCONNECT ? 1 : 0, hs.disconnects()),
                () -> assertEquals(fill + 1, hs.offered()),
                () -> assertEquals(kept.size(), hs.delivered()),
                () -> assertEquals(e.finalDrops(), dropsOf(hs)),
                () -> assertEquals(hs.offered(), hs.delivered() + hs.dropped()));
        assertEquals(e.finalDrops(), listener.drops(), "drops reported to the listener");
        assertEquals(e.reason().stream().toList(), listener.closes(), "closes reported to the listener");
    }

    static Stream<Arguments> refusedPairs() {
        return EngineType.refusedPairs();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedPairs")
    void refusedPair_failsAtBuildAndAtSubscribe_namingTheEngineThatCan(EngineType engine, StrategyType type) {
        Overflow o = type.overflow(NO_WAIT);
        String message = "overflow: " + o.name() + " is not supported by the ring engine"
                + " (expected: slow-producer, drop-oldest, latest-only or disconnect; Engine.queues() supports every strategy)";
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> engine.<Integer>hub().overflow(o).build()).getMessage(), "build");

        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> hub.subscriber().overflow(o).subscribe((seq, m) -> { })).getMessage(), "push subscribe");
        if (!type.pushOnly()) {
            assertEquals(message, assertThrows(IllegalArgumentException.class,
                    () -> hub.subscribe(o)).getMessage(), "pull subscribe");
        }
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.stats().subscribed());
        assertEquals(1, hub.publishAndReport(1).sequence(), "the hub still works");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void engineSupports_agreesWithEngineType(EngineType engine) {
        for (StrategyType type : StrategyType.values()) {
            assertEquals(engine.supports(type), engine.engine().supports(type.overflow(NO_WAIT)), type::toString);
        }
    }

    // ================================================================== capacity

    static Stream<Arguments> pullStrategiesAndCapacities() {
        return Stream.of(StrategyType.values())
                .filter(t -> !t.pushOnly())
                .flatMap(t -> Stream.of(1, 2, 3, 4, 5).map(c -> Arguments.of(t, c)));
    }

    @ParameterizedTest(name = "{0}, capacity {1}")
    @MethodSource("pullStrategiesAndCapacities")
    void capacity_roundsUpToPowerOfTwo_andBufferHoldsExactlyThat(StrategyType type, int requested) {
        int expected = type == StrategyType.LATEST_ONLY ? 1 : Map.of(1, 1, 2, 2, 3, 4, 4, 4, 5, 8).get(requested);
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscriber().overflow(type.overflow(NO_WAIT)).capacity(requested).subscribe();

        int cleanAccepts = 0;
        for (int m = 1; m <= 9; m++) { // 9 distinct keys for latest-per-key, more than any capacity here
            PublishResult r = hub.publishAndReport(m);
            if (r.accepted() != 1 || r.dropped() != 0) {
                break;
            }
            cleanAccepts++;
        }
        int held = cleanAccepts;
        assertAll(
                () -> assertEquals(expected, sub.capacity(), "capacity()"),
                () -> assertEquals(expected, sub.stats().capacity(), "stats().capacity()"),
                () -> assertEquals(expected, held, "messages accepted before the buffer was full"));
    }

    static Stream<Arguments> ringStrategiesAndCapacities() {
        return EngineType.supportedPairs().filter(a -> a.get()[0] == EngineType.RING)
                .flatMap(a -> Stream.of(1, 2, 3, 4, 5).map(c -> Arguments.of(a.get()[1], c)));
    }

    /**
     * On the ring a lossy subscription keeps its capacity's newest messages (it skips the rest
     * when it reads); a lossless one holds as many as the ring, whatever its capacity, since the
     * ring gates the producer.
     */
    @ParameterizedTest(name = "ring {0}, capacity {1}")
    @MethodSource("ringStrategiesAndCapacities")
    void capacity_onTheRing_roundsUpToPowerOfTwo_andIsWhatALossySubscriberKeeps(StrategyType type, int requested) {
        int expected = type == StrategyType.LATEST_ONLY ? 1 : Map.of(1, 1, 2, 2, 3, 4, 4, 4, 5, 8).get(requested);
        Hub<Integer> hub = EngineType.RING.<Integer>hub().build();
        PullSubscription<Integer> sub = hub.subscriber().overflow(type.overflow(NO_WAIT)).capacity(requested).subscribe();
        int published = EngineType.RING_SIZE + 1;
        for (int m = 1; m <= published; m++) {
            hub.publish(m);
        }
        List<Delivery<Integer>> kept = pollAll(sub);
        assertEquals(expected, sub.capacity(), "capacity()");
        assertEquals(expected, sub.stats().capacity(), "stats().capacity()");
        List<Delivery<Integer>> want = switch (type) {
            case DISCONNECT -> expected >= published ? deliveries(1, published) : List.of();
            default -> deliveries(published - expected + 1, published);
        };
        assertEquals(want, kept);
        assertBalanced(sub.stats());
    }

    @Test
    void hubCapacity_roundsUpToPowerOfTwo_andIsTheDefaultOfItsSubscriptions() {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(5).overflow(Overflow.dropNewest()).build();
        assertEquals(8, hub.capacity());
        assertEquals(8, hub.subscribe().capacity());
        assertEquals(1024, Hub.<Integer>builder().build().capacity(), "default");
    }

    // ================================================================== slowProducer

    /** How many messages a lossless subscriber of capacity 4 holds: the ring gates the producer on its own size. */
    /** A lossless subscriber holds its capacity on both engines. */
    private static int losslessFill(EngineType engine) {
        return CAPACITY;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_zeroWait_timesOutAndKeepsQueued(EngineType engine) {
        slowProducerTimesOutAndKeepsQueued(engine, Duration.ZERO);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_shortWait_timesOutAndKeepsQueued(EngineType engine) {
        slowProducerTimesOutAndKeepsQueued(engine, Duration.ofMillis(5));
    }

    private static void slowProducerTimesOutAndKeepsQueued(EngineType engine, Duration maxWait) {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(maxWait));
        int fill = losslessFill(engine);
        publishAll(hub, 1, fill);

        PublishResult r = hub.publishAndReport(fill + 1);

        assertEquals(0, r.accepted());
        assertEquals(1, r.timedOut());
        assertEquals(1, r.dropped(DropCause.TIMEOUT));
        assertEquals(1, r.dropped());
        // the queue keeps what it holds and loses the new message; on the ring the new message is
        // in the slot the producer claimed, so the subscriber loses its oldest instead
        assertEquals(engine.isRing() ? deliveries(2, fill + 1) : deliveries(1, fill), pollAll(sub));
        assertEquals(1, sub.stats().timedOut());
        assertEquals(1, hub.stats().timedOut());
        assertEquals(Optional.empty(), sub.closeReason(), "a timeout does not end the subscription");
        assertEquals(1, hub.publishAndReport(fill + 2).accepted(), "room again after the consumer took");
        assertEquals(deliveries(fill + 2, fill + 2), pollAll(sub), "gated again: nothing more lost");
        assertBalanced(sub.stats());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_parkedPublishUnblocksWhenConsumerPollsFromAnotherThread(EngineType engine) throws Exception {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(LONG_WAIT));
        int fill = losslessFill(engine);
        publishAll(hub, 1, fill);

        CompletableFuture<PublishResult> fifth = new CompletableFuture<>();
        Thread publisher = Thread.ofPlatform().name("publisher").start(() -> fifth.complete(hub.publishAndReport(fill + 1)));
        awaitParked(publisher);
        assertFalse(fifth.isDone(), "publish waits while the buffer is full");

        assertEquals(Optional.of(new Delivery<>(1, 1)), sub.poll());
        PublishResult r = fifth.get(30, TimeUnit.SECONDS);

        assertEquals(1, r.accepted(), r::toString);
        assertEquals(0, r.dropped(), r::toString);
        assertEquals(deliveries(2, fill + 1), pollAll(sub));
        assertBalanced(sub.stats());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_parkedPublishIsReleasedByHubCloseAsClosed(EngineType engine) throws Exception {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(LONG_WAIT));
        int fill = losslessFill(engine);
        publishAll(hub, 1, fill);
        CompletableFuture<PublishResult> fifth = new CompletableFuture<>();
        Thread publisher = Thread.ofPlatform().name("publisher").start(() -> fifth.complete(hub.publishAndReport(fill + 1)));
        awaitParked(publisher);

        hub.close(); // waits for the publish in flight

        PublishResult r = fifth.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.accepted(), r::toString);
        assertEquals(1, r.dropped(DropCause.CLOSED), r::toString);
        assertEquals(0, r.timedOut(), r::toString);
        assertOutcomesAddUp(r);
        assertEquals(deliveries(1, fill), pollAll(sub), "the subscription still drains what it held");
        assertEquals(1, sub.stats().closed());
        assertEquals(fill + 1, sub.stats().offered());
        assertBalanced(sub.stats());
        assertEquals(1, hub.stats().closed());
        assertEquals(fill + 1, hub.stats().offered());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void slowProducer_parkedPublishIsReleasedBySubscriptionCloseAsClosed(EngineType engine) throws Exception {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(LONG_WAIT));
        int fill = losslessFill(engine);
        publishAll(hub, 1, fill);
        CompletableFuture<PublishResult> fifth = new CompletableFuture<>();
        Thread publisher = Thread.ofPlatform().name("publisher").start(() -> fifth.complete(hub.publishAndReport(fill + 1)));
        awaitParked(publisher);

        sub.close();

        PublishResult r = fifth.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.accepted(), r::toString);
        assertEquals(1, r.dropped(DropCause.CLOSED), r::toString);
        assertEquals(Optional.empty(), sub.poll());
        // the waiting message and the four queued (on the ring the waiting message never reaches
        // the closed subscriber's cursor, but it counts it offered and dropped all the same)
        assertEquals(fill + 1, sub.stats().closed(), sub.stats()::toString);
        assertEquals(fill + 1, sub.stats().offered(), sub.stats()::toString);
        assertBalanced(sub.stats());
    }

    // ================================================================== lossy strategies

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void dropOldest_keepsNewestWhenFull(EngineType engine) {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());
        for (int m = 1; m <= 10; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(1, r.accepted());
            // the ring's publisher never looks at a subscriber: it counts its drops when it reads
            assertEquals(m > CAPACITY && !engine.isRing() ? 1 : 0, r.dropped(DropCause.OLDEST), r::toString);
        }
        assertEquals(deliveries(7, 10), pollAll(sub));
        assertEquals(6, sub.stats().oldest());
        assertEquals(6, sub.stats().dropped());
        assertBalanced(sub.stats());
    }

    @Test
    void dropNewest_keepsOldestWhenFull() {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());
        for (int m = 1; m <= 10; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(m > CAPACITY ? 0 : 1, r.accepted(), r::toString);
            assertEquals(m > CAPACITY ? 1 : 0, r.dropped(DropCause.NEWEST), r::toString);
        }
        assertEquals(deliveries(1, 4), pollAll(sub));
        assertEquals(6, sub.stats().newest());
        assertEquals(6, sub.stats().dropped());
        assertBalanced(sub.stats());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void latestOnly_keepsOnlyNewest_andIgnoresCapacity(EngineType engine) {
        Hub<Integer> hub = engine.<Integer>hub().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscriber().overflow(Overflow.latestOnly()).capacity(16).subscribe();
        assertEquals(1, sub.capacity());
        for (int m = 1; m <= 10; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(1, r.accepted());
            assertEquals(m > 1 && !engine.isRing() ? 1 : 0, r.dropped(DropCause.SUPERSEDED), r::toString);
        }
        assertEquals(List.of(new Delivery<>(10, 10)), pollAll(sub));
        assertEquals(9, sub.stats().superseded());
        assertBalanced(sub.stats());
    }

    @Test
    void latestPerKey_rePublishedKeyReplacesItsPendingMessageAndMovesToTheBack() {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(StrategyType.LATEST_PER_KEY.overflow(NO_WAIT));
        publishAll(hub, 1, 3); // keys 1, 2, 3

        PublishResult r = hub.publishAndReport(11); // key 1 again

        assertEquals(1, r.accepted());
        assertEquals(1, r.dropped(DropCause.SUPERSEDED));
        assertEquals(List.of(new Delivery<>(2, 2), new Delivery<>(3, 3), new Delivery<>(4, 11)), pollAll(sub),
                "newest per key, in sequence order");
        assertEquals(1, sub.stats().superseded());
        assertBalanced(sub.stats());
    }

    @Test
    void latestPerKey_newKeyBeyondCapacityEvictsTheOldestPending() {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(StrategyType.LATEST_PER_KEY.overflow(NO_WAIT));
        publishAll(hub, 1, 4);      // keys 1..4: full
        hub.publish(11);            // seq 5, key 1 moves to the back: 2, 3, 4, 11

        PublishResult r = hub.publishAndReport(5); // seq 6, a fifth key: evicts key 2, the oldest pending

        assertEquals(1, r.accepted());
        assertEquals(1, r.dropped(DropCause.OLDEST));
        assertEquals(List.of(new Delivery<>(3, 3), new Delivery<>(4, 4), new Delivery<>(5, 11), new Delivery<>(6, 5)),
                pollAll(sub));
        SubscriptionStats s = sub.stats();
        assertEquals(1, s.superseded());
        assertEquals(1, s.oldest());
        assertBalanced(s);
    }

    @Test
    void latestPerKey_failingKeyFunctionKeepsTheMessageUnderAKeyOfItsOwnAndTellsTheListener() {
        RecordingListener listener = new RecordingListener();
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).listener(listener).build();
        Subscription<Integer> sub = hub.subscribe(Overflow.<Integer>latestPerKey(m -> {
            if (m == 0) {
                throw new IllegalArgumentException("no key for 0");
            }
            return m % 10;
        }));

        hub.publish(0);
        hub.publish(0);
        PublishResult r = hub.publishAndReport(10);

        assertEquals(0, r.dropped(), "key 0 of message 10 is not the key of the failing messages");
        assertEquals(List.of(new Delivery<>(1, 0), new Delivery<>(2, 0), new Delivery<>(3, 10)), pollAll(sub));
        assertEquals(List.of(1L, 2L), listener.errorSequences());
        assertTrue(listener.errors().stream().allMatch(IllegalArgumentException.class::isInstance));
    }

    // ================================================================== disconnect

    @Test
    void disconnect_fullSubscriberIsClosedSlowAndDetached_queuedCountAsDisconnected() {
        RecordingListener listener = new RecordingListener();
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).listener(listener).build();
        PullSubscription<Integer> slow = hub.subscribe(Overflow.disconnect());
        PullSubscription<Integer> other = hub.subscriber().overflow(Overflow.dropNewest()).capacity(16).subscribe();
        publishAll(hub, 1, 4);
        assertEquals(2, hub.subscriberCount());

        PublishResult r = hub.publishAndReport(5);

        assertEquals(2, r.subscribers());
        assertEquals(1, r.accepted(), "the other subscriber took it");
        assertEquals(1, r.disconnected());
        assertEquals(1, r.dropped(DropCause.DISCONNECTED));
        assertOutcomesAddUp(r);
        assertTrue(slow.isClosed());
        assertEquals(Optional.of(CloseReason.SLOW), slow.closeReason());
        assertEquals(1, hub.subscriberCount(), "detached");
        assertEquals(List.of(CloseReason.SLOW), listener.closes());

        assertEquals(Optional.empty(), slow.poll(), "what it held is not delivered");
        assertEquals(0, slow.drain((s, m) -> fail("drained " + m), 10));
        SubscriptionStats s = slow.stats();
        assertEquals(5, s.offered());
        assertEquals(0, s.delivered());
        assertEquals(5, s.disconnected());
        assertEquals(0, s.depth());
        assertEquals(1, hub.publishAndReport(6).subscribers(), "later publishes skip it");
        assertEquals(5, slow.stats().offered());

        HubStats hs = hub.stats();
        assertEquals(1, hs.disconnects());
        assertEquals(5, hs.disconnected());
        assertEquals(deliveries(1, 6), pollAll(other));
    }

    /**
     * On the ring the publisher closes a {@code disconnect} subscriber that fell more than its
     * capacity behind once per lap; from its close on it is offered nothing more.
     */
    @Test
    void disconnect_onTheRing_stalledSubscriberIsClosedSlowOncePerLap_andOfferedNothingAfter() {
        RecordingListener listener = new RecordingListener();
        Hub<Integer> hub = EngineType.RING.<Integer>hub().capacity(CAPACITY).listener(listener).build();
        PullSubscription<Integer> slow = hub.subscribe(Overflow.disconnect());
        PullSubscription<Integer> other = hub.subscribe(Overflow.slowProducer(LONG_WAIT));
        int lap = EngineType.RING_SIZE + 1; // ring sequence 8 starts the second lap
        List<Delivery<Integer>> taken = new ArrayList<>();
        for (int m = 1; m <= lap; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(2, r.subscribers(), r::toString);
            assertEquals(0, r.dropped(), r::toString);
            other.poll().ifPresent(taken::add);
        }
        assertEquals(Optional.of(CloseReason.SLOW), slow.closeReason());
        assertEquals(1, hub.subscriberCount(), "detached");
        assertEquals(1, hub.stats().disconnects());
        for (int m = lap + 1; m <= 3 * lap; m++) {
            assertEquals(1, hub.publishAndReport(m).subscribers());
            other.poll().ifPresent(taken::add);
        }
        // closed as of the message that overflowed it, as on the queue engine: it held its
        // capacity, the next one overflowed it, and nothing after was offered to it
        int overflowed = CAPACITY + 1;
        SubscriptionStats before = slow.stats();
        assertEquals(overflowed, before.offered(), "offered nothing after its close: " + before);
        assertEquals(0, before.depth(), "what an ended subscription holds counts as dropped: " + before);
        assertEquals(overflowed, before.disconnected(), before::toString);
        assertEquals(Optional.empty(), slow.poll());
        SubscriptionStats after = slow.stats();
        assertEquals(before, after, "the consumer's discard changes nothing in the counts");
        assertEquals(List.of(CloseReason.SLOW), listener.closes());
        assertEquals(Map.of(DropCause.DISCONNECTED, (long) overflowed), listener.drops());
        assertEquals(deliveries(1, 3 * lap), taken);
        HubStats hs = hub.stats();
        assertEquals(hs.offered(), hs.delivered() + hs.dropped(), hs::toString);
        assertEquals(overflowed + 3 * lap, hs.offered(), hs::toString);
    }

    // ================================================================== elasticWorkers

    @Test
    void elasticWorkers_isPushOnly_pullSubscribeThrows() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        Overflow elastic = StrategyType.ELASTIC_WORKERS.overflow(LONG_WAIT);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hub.subscribe(elastic));
        assertTrue(e.getMessage().startsWith("overflow: elastic-workers (expected: a handler"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> hub.subscriber().overflow(elastic).subscribe());
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.stats().subscribed());
    }

    @Test
    void elasticWorkers_deliversEverythingExactlyOnce() throws Exception {
        int n = 2_000;
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        Queue received = new Queue();
        Subscription<Integer> sub = hub.subscribe(StrategyType.ELASTIC_WORKERS.overflow(LONG_WAIT), received::add);
        assertTrue(sub instanceof PushSubscription<Integer>, "a push subscription");
        for (int m = 1; m <= n; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(1, r.accepted(), r::toString);
        }
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(30)));

        assertEquals(deliveries(1, n), received.sorted(), "every message once");
        SubscriptionStats s = sub.stats();
        assertEquals(n, s.delivered());
        assertEquals(0, s.dropped());
        assertTrue(s.peakWorkers() >= 1 && s.peakWorkers() <= 4, "peakWorkers " + s.peakWorkers());
        assertFalse(sub instanceof PullSubscription<Integer>, "push subscriptions do not poll: a type of its own");
    }

    // ================================================================== lifecycle

    @Test
    void hubClose_publishReturnsHubClosed() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());
        hub.publish(1);
        hub.close();

        PublishResult r = hub.publishAndReport(2);

        assertEquals(PublishResult.Status.HUB_CLOSED, r.status());
        assertFalse(r.isPublished());
        assertEquals(0, r.sequence());
        assertEquals(0, r.subscribers());
        assertEquals(1, hub.sequence(), "no sequence number given");
        assertEquals(1, sub.stats().offered());
        assertTrue(hub.isClosed());
        hub.close(); // idempotent
    }

    @Test
    void hubClose_subscribeThrows() {
        Hub<Integer> hub = Hub.<Integer>builder().name("quotes").build();
        hub.close();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> hub.subscribe());
        assertEquals("hub quotes is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> hub.subscribe(Overflow.dropOldest(), (s, m) -> { }));
        assertEquals(0, hub.stats().subscribed());
    }

    @Test
    void hubClose_pullSubscriptionDrainsWhatItHoldsThenEndsWithHubClosed() {
        RecordingListener listener = new RecordingListener();
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).listener(listener).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());
        publishAll(hub, 1, 3);

        hub.close();

        assertEquals(0, hub.subscriberCount());
        assertFalse(sub.isClosed(), "still holds messages");
        assertEquals(Optional.of(new Delivery<>(1, 1)), sub.poll());
        assertEquals(Optional.of(new Delivery<>(2, 2)), sub.await(Duration.ofSeconds(1)));
        assertFalse(sub.isClosed());
        assertEquals(Optional.of(new Delivery<>(3, 3)), sub.poll());
        assertTrue(sub.isClosed(), "drained");
        assertEquals(Optional.of(CloseReason.HUB_CLOSED), sub.closeReason());
        assertEquals(Optional.empty(), sub.poll());
        assertEquals(Optional.empty(), sub.await(Duration.ofSeconds(1)), "an ended subscription does not wait");
        SubscriptionStats s = sub.stats();
        assertEquals(3, s.delivered());
        assertEquals(0, s.dropped());
        assertEquals(List.of(CloseReason.HUB_CLOSED), listener.closes());
    }

    /** Subscription#closeReason: "empty while it is open (also while it drains after a hub close)". */
    @Test
    void hubClose_closeReasonIsSetWhileTheSubscriptionStillDrains() {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());
        publishAll(hub, 1, 2);
        assertEquals(Optional.empty(), sub.closeReason(), "while open");
        hub.close();

        assertEquals(Optional.of(CloseReason.HUB_CLOSED), sub.closeReason(), "while draining");
        assertFalse(sub.isClosed(), "still holds messages");
        pollAll(sub);
        assertEquals(Optional.of(CloseReason.HUB_CLOSED), sub.closeReason(), "once drained");
        assertTrue(sub.isClosed());
    }

    @Test
    void subscriptionClose_discardsWhatItHoldsAndCountsClosedOnNextPoll() {
        RecordingListener listener = new RecordingListener();
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).listener(listener).build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());
        publishAll(hub, 1, 3);

        sub.close();
        sub.close(); // idempotent

        assertTrue(sub.isClosed());
        assertEquals(Optional.of(CloseReason.CLOSED), sub.closeReason());
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.publishAndReport(4).subscribers());
        assertEquals(Optional.empty(), sub.poll());
        assertEquals(Optional.empty(), sub.poll());
        SubscriptionStats s = sub.stats();
        assertEquals(3, s.offered());
        assertEquals(0, s.delivered());
        assertEquals(3, s.closed());
        assertEquals(0, s.depth());
        assertEquals(3, hub.stats().closed());
        assertEquals(List.of(CloseReason.CLOSED), listener.closes(), "onClose once");
        assertEquals(Map.of(DropCause.CLOSED, 3L), listener.drops());
    }

    // ================================================================== guarded callbacks

    @Test
    void pushHandlerThatThrows_doesNotStopDelivery_andReachesOnHandlerError() throws Exception {
        RecordingListener listener = new RecordingListener();
        Hub<Integer> hub = Hub.<Integer>builder().listener(listener).build();
        Queue received = new Queue();
        Subscription<Integer> sub = hub.subscribe(Overflow.dropNewest(), (seq, m) -> {
            received.add(seq, m);
            if (m == 2) {
                throw new IllegalStateException("boom on 2");
            }
        });
        publishAll(hub, 1, 3);
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(30)));

        assertEquals(deliveries(1, 3), received.inOrder(), "all delivered, in order");
        assertEquals(List.of(2L), listener.errorSequences());
        assertEquals("boom on 2", listener.errors().get(0).getMessage());
        assertSame(sub, listener.errorSubscriptions().get(0));
        assertEquals(3, sub.stats().delivered());
    }

    @Test
    void listenerThatThrows_doesNotBreakPublishOrConsumers() {
        HubListener throwing = new HubListener() {
            @Override
            public void onSubscribe(Subscription<?> subscription) {
                throw new IllegalStateException("onSubscribe");
            }

            @Override
            public void onClose(Subscription<?> subscription, CloseReason reason) {
                throw new IllegalStateException("onClose");
            }

            @Override
            public void onDrop(Subscription<?> subscription, DropCause cause, long count) {
                throw new IllegalStateException("onDrop");
            }

            @Override
            public void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
                throw new IllegalStateException("onHandlerError");
            }
        };
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).listener(throwing).build();
        PullSubscription<Integer> newest = hub.subscribe(Overflow.dropNewest());
        PullSubscription<Integer> slow = hub.subscribe(Overflow.disconnect());
        publishAll(hub, 1, 4);

        PublishResult r = hub.publishAndReport(5);

        assertEquals(2, r.subscribers());
        assertEquals(1, r.dropped(DropCause.NEWEST));
        assertEquals(1, r.disconnected());
        assertEquals(deliveries(1, 4), pollAll(newest));
        assertEquals(Optional.of(CloseReason.SLOW), slow.closeReason());
        assertEquals(Optional.empty(), slow.poll());
        assertEquals(5, slow.stats().disconnected());
        hub.close();
        assertTrue(newest.isClosed());
    }

    static Stream<StrategyType> pullStrategiesHoldingSeveral() {
        return Stream.of(StrategyType.values()).filter(t -> !t.pushOnly() && t != StrategyType.LATEST_ONLY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pullStrategiesHoldingSeveral")
    void drainHandlerThatThrows_propagates_butTheMessageCountsAsDelivered(StrategyType type) {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(type.overflow(NO_WAIT));
        publishAll(hub, 1, 3);
        List<Long> seen = new ArrayList<>();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sub.drain((seq, m) -> {
            seen.add(seq);
            if (m == 2) {
                throw new IllegalStateException("boom on 2");
            }
        }, 10));

        assertEquals("boom on 2", e.getMessage());
        assertEquals(List.of(1L, 2L), seen);
        SubscriptionStats s = sub.stats();
        assertEquals(2, s.delivered());
        assertEquals(1, s.depth());
        assertEquals(0, s.dropped());
        assertEquals(2, sub.lastSequence());
        assertEquals(2, hub.stats().delivered());
        assertEquals(List.of(new Delivery<>(3, 3)), pollAll(sub), "the rest stays queued");
    }

    /**
     * After a drain handler threw, the buffer must still accept publishes as usual. Runs the
     * publishes on a daemon thread: a publisher that spins for a slot never returns.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pullStrategiesHoldingSeveral")
    void drainHandlerThatThrows_leavesTheBufferUsableForLaterPublishes(StrategyType type) throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(type.overflow(NO_WAIT));
        publishAll(hub, 1, 3);
        assertThrows(IllegalStateException.class, () -> sub.drain((seq, m) -> {
            if (m == 2) {
                throw new IllegalStateException("boom on 2");
            }
        }, 10));
        pollAll(sub);

        CompletableFuture<List<Delivery<Integer>>> later = new CompletableFuture<>();
        Thread publisher = Thread.ofPlatform().daemon().name("publisher").start(() -> {
            List<Delivery<Integer>> out = new ArrayList<>();
            for (int m = 4; m <= 12; m++) { // wraps around the ring more than once
                hub.publish(m);
                sub.poll().ifPresent(out::add);
            }
            later.complete(out);
        });
        try {
            assertEquals(deliveries(4, 12), later.get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            fail("publish never returned; publisher is " + publisher.getState() + " at "
                    + java.util.Arrays.toString(publisher.getStackTrace()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pullStrategiesHoldingSeveral")
    void drain_takesAtMostLimitInOrder(StrategyType type) {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(type.overflow(NO_WAIT));
        publishAll(hub, 1, 3);
        List<Delivery<Integer>> seen = new ArrayList<>();

        assertEquals(2, sub.drain((seq, m) -> seen.add(new Delivery<>(seq, m)), 2));
        assertEquals(deliveries(1, 2), seen);
        assertEquals(1, sub.drain((seq, m) -> seen.add(new Delivery<>(seq, m)), 2));
        assertEquals(deliveries(1, 3), seen);
        assertEquals(0, sub.drain((seq, m) -> fail("empty"), 2));
    }

    /** Single-threaded, "up to limit" means min(limit, depth): a short drain would look like an empty buffer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pullStrategiesHoldingSeveral")
    void drain_takesMinOfLimitAndDepth_afterPollsAndMorePublishes(StrategyType type) {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        PullSubscription<Integer> sub = hub.subscribe(type.overflow(NO_WAIT));
        publishAll(hub, 1, 4);
        assertEquals(Optional.of(new Delivery<>(1, 1)), sub.poll());
        assertEquals(Optional.of(new Delivery<>(2, 2)), sub.poll());
        publishAll(hub, 5, 6);
        assertEquals(4, sub.stats().depth());
        List<Delivery<Integer>> seen = new ArrayList<>();

        int n = sub.drain((seq, m) -> seen.add(new Delivery<>(seq, m)), 3);

        assertEquals(deliveries(3, 5), seen);
        assertEquals(3, n);
    }

    /** Subscription#lastSequence: "the last message the consumer took, or 0 before the first". */
    @Test
    void lastSequence_startsAtTheHubsSequence_soALateSubscriberHasNoLag() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        publishAll(hub, 1, 3);
        PullSubscription<Integer> late = hub.subscribe(Overflow.dropOldest());

        assertEquals(3, late.lastSequence());
        assertEquals(0, late.stats().lag());
        hub.publish(4);
        assertEquals(Optional.of(new Delivery<>(4, 4)), late.poll());
        assertEquals(4, late.lastSequence());
    }

    // ================================================================== validation

    static Stream<Arguments> invalidArguments() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());
        return Stream.of(
                invalid("capacity 0", () -> Hub.builder().capacity(0), "capacity: 0 (expected: > 0)"),
                invalid("capacity -1", () -> Hub.builder().capacity(-1), "capacity: -1 (expected: > 0)"),
                invalid("capacity 2^20+1", () -> Hub.builder().capacity(Hub.Builder.MAX_CAPACITY + 1),
                        "capacity: 1048577 (expected: <= 1048576)"),
                invalid("subscription capacity 0", () -> hub.subscriber().capacity(0), "capacity: 0 (expected: > 0)"),
                invalid("batchSize 0", () -> Hub.builder().batchSize(0), "batchSize: 0 (expected: > 0)"),
                invalid("blank name", () -> Hub.builder().name(" "), "name: \" \" (expected: not blank)"),
                invalid("negative maxWait", () -> Overflow.slowProducer(Duration.ofMillis(-1)),
                        "maxWait: PT-0.001S (expected: >= 0)"),
                invalid("elastic min -1", () -> Overflow.elasticWorkers(-1, 1, 0, Duration.ofSeconds(1)),
                        "min: -1 (expected: >= 0)"),
                invalid("elastic max 0", () -> Overflow.elasticWorkers(0, 0, 0, Duration.ofSeconds(1)),
                        "max: 0 (expected: >= 1)"),
                invalid("elastic max < min", () -> Overflow.elasticWorkers(3, 2, 0, Duration.ofSeconds(1)),
                        "max: 2 (expected: >= 3)"),
                invalid("elastic backlog -1", () -> Overflow.elasticWorkers(0, 1, -1, Duration.ofSeconds(1)),
                        "scaleUpBacklog: -1 (expected: >= 0)"),
                invalid("elastic idle 0", () -> Overflow.elasticWorkers(0, 1, 0, Duration.ZERO),
                        "idleTimeout: PT0S (expected: > 0)"),
                invalid("drain limit 0", () -> sub.drain((s, m) -> { }, 0), "limit: 0 (expected: > 0)"),
                invalid("await negative", () -> sub.await(Duration.ofSeconds(-1)), "timeout: PT-1S (expected: >= 0)"),
                invalid("awaitTermination negative", () -> hub.awaitTermination(Duration.ofSeconds(-1)),
                        "timeout: PT-1S (expected: >= 0)"));
    }

    private static Arguments invalid(String name, Executable call, String message) {
        return Arguments.of(Named.of(name, call), message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidArguments")
    void invalidArgument_isRejectedWithAMessageThatSaysWhatIsExpected(Executable call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    static Stream<Arguments> nullArguments() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());
        PublishResult result = hub.publishAndReport(1);
        return Stream.of(
                nullArg("publish", () -> hub.publish(null), "message"),
                nullArg("subscribe overflow", () -> hub.subscribe(null), "overflow"),
                nullArg("subscribe handler", () -> hub.subscribe(Overflow.dropOldest(), null), "handler"),
                nullArg("subscriber executor", () -> hub.subscriber().executor(null), "executor"),
                nullArg("builder name", () -> Hub.builder().name(null), "name"),
                nullArg("builder engine", () -> Hub.builder().engine(null), "engine"),
                nullArg("builder overflow", () -> Hub.builder().overflow(null), "overflow"),
                nullArg("builder executor", () -> Hub.builder().executor(null), "executor"),
                nullArg("builder listener", () -> Hub.builder().listener(null), "listener"),
                nullArg("builder pacer", () -> Hub.builder().pacer(null), "pacer"),
                nullArg("slowProducer", () -> Overflow.slowProducer(null), "maxWait"),
                nullArg("latestPerKey", () -> Overflow.latestPerKey(null), "keyFunction"),
                nullArg("elastic idleTimeout", () -> Overflow.elasticWorkers(0, 1, 0, null), "idleTimeout"),
                nullArg("parse", () -> Overflow.parse(null), "alias"),
                nullArg("drain handler", () -> sub.drain(null, 1), "handler"),
                nullArg("await timeout", () -> sub.await(null), "timeout"),
                nullArg("result dropped", () -> result.dropped(null), "cause"),
                nullArg("stats dropped", () -> sub.stats().dropped(null), "cause"),
                nullArg("hub stats dropped", () -> hub.stats().dropped(null), "cause"));
    }

    private static Arguments nullArg(String name, Executable call, String parameter) {
        return Arguments.of(Named.of(name, call), parameter);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullArgument_isRejectedNamingTheParameter(Executable call, String parameter) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(parameter, e.getMessage());
    }

    static Stream<Arguments> builderOptions() {
        Executor direct = Runnable::run;
        Pacer pacer = Pacer.aimd().build();
        return Stream.of(
                option("name", b -> b.name("a"), b -> b.name("b")),
                option("engine", b -> b.engine(Engine.queues()), b -> b.engine(Engine.queues())),
                option("capacity", b -> b.capacity(8), b -> b.capacity(16)),
                option("overflow", b -> b.overflow(Overflow.dropOldest()), b -> b.overflow(Overflow.dropNewest())),
                option("singlePublisher", Hub.Builder::singlePublisher, Hub.Builder::singlePublisher),
                option("executor", b -> b.executor(direct), b -> b.executor(direct)),
                option("listener", b -> b.listener(HubListener.NOOP), b -> b.listener(HubListener.NOOP)),
                option("batchSize", b -> b.batchSize(8), b -> b.batchSize(16)),
                option("pacer", b -> b.pacer(pacer), b -> b.pacer(pacer)));
    }

    private interface Option {
        void set(Hub.Builder<Integer> builder);
    }

    private static Arguments option(String name, Option first, Option second) {
        return Arguments.of(name, first, second);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builderOptions")
    void builderOptionSetTwice_throwsIllegalState(String name, Option first, Option second) {
        Hub.Builder<Integer> b = Hub.builder();
        first.set(b);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.set(b));
        assertEquals(name + " was already set", e.getMessage());
    }

    // ================================================================== parse and aliases

    static Stream<Arguments> aliases() {
        return Stream.of(
                Arguments.of("slow-producer", Overflow.slowProducer(Overflow.DEFAULT_MAX_WAIT)),
                Arguments.of("slow-producer:250ms", Overflow.slowProducer(Duration.ofMillis(250))),
                Arguments.of("SLOW-PRODUCER:2M", Overflow.slowProducer(Duration.ofMinutes(2))),
                Arguments.of("slow-producer:PT0.5S", Overflow.slowProducer(Duration.ofMillis(500))),
                Arguments.of("slow-producer:0s", Overflow.slowProducer(Duration.ZERO)),
                Arguments.of("drop-oldest", Overflow.dropOldest()),
                Arguments.of("drop-newest", Overflow.dropNewest()),
                Arguments.of("latest-only", Overflow.latestOnly()),
                Arguments.of("disconnect", Overflow.disconnect()),
                Arguments.of("  Drop-Oldest\t", Overflow.dropOldest()),
                Arguments.of("LATEST-ONLY", Overflow.latestOnly()),
                Arguments.of("elastic-workers:1..8", Overflow.elasticWorkers(1, 8, 0, Duration.ofSeconds(1))),
                Arguments.of("elastic-workers:0..4,backlog=16,idle=300ms,wait=5s",
                        Overflow.elasticWorkers(0, 4, 16, Duration.ofMillis(300)).withMaxWait(Duration.ofSeconds(5))));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("aliases")
    void parse_readsEveryFormIgnoringCaseAndBlanks(String alias, Overflow expected) {
        assertEquals(expected, Overflow.parse(alias));
    }

    static Stream<Overflow> everyStrategy() {
        return Stream.concat(Stream.of(StrategyType.values()).map(t -> t.overflow(NO_WAIT)),
                Stream.of(Overflow.slowProducer(Duration.ofMillis(1500)), Overflow.slowProducer(Duration.ofNanos(1)),
                        Overflow.slowProducer(Duration.ofHours(3)),
                        Overflow.elasticWorkers(2, 16, 8, Duration.ofMinutes(1)).withMaxWait(Duration.ofMillis(250))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyStrategy")
    void parse_ofAlias_roundTripsEveryStrategy(Overflow o) {
        Function<Object, ?> key = StrategyType::key;
        Overflow back = o instanceof Overflow.LatestPerKey k ? Overflow.parse(o.alias(), k.keyFunction()) : Overflow.parse(o.alias());
        assertEquals(o, back, o.alias());
        assertEquals(o.alias(), back.alias());
        assertEquals(Overflow.latestPerKey(key), Overflow.parse("latest-per-key", key), "with its key function");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fifo", "", "drop_oldest", "dropOldest", "slow producer"})
    void parse_unknownAliasThrowsListingTheForms(String alias) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Overflow.parse(alias));
        assertEquals("overflow: \"" + alias + "\" (unknown strategy; expected: slow-producer[:DURATION], drop-oldest,"
                + " drop-newest, latest-only, latest-per-key (with a key function), disconnect,"
                + " elastic-workers:MIN..MAX[,backlog=N][,idle=DURATION][,wait=DURATION];"
                + " a DURATION is e.g. 250ms, 1s, 2m, 1h or PT0.5S)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"slow-producer:soon", "slow-producer:-1s", "drop-oldest:3", "elastic-workers",
            "elastic-workers:4", "elastic-workers:2..1", "elastic-workers:1..4,speed=2", "elastic-workers:1..4,idle",
            "latest-per-key"})
    void parse_badParametersThrowSayingWhatIsWrong(String alias) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Overflow.parse(alias));
        assertTrue(e.getMessage().startsWith("overflow: \"" + alias + "\" ("), e.getMessage());
        assertTrue(e.getMessage().contains("; expected: slow-producer[:DURATION]"), e.getMessage());
    }

    @Test
    void parse_latestPerKeyNeedsItsKeyFunction() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Overflow.parse("latest-per-key")).getMessage()
                .startsWith("overflow: \"latest-per-key\" (needs its key function: Overflow.parse(alias, keyFunction);"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"queues", "ring:1024", "ring:8", " RING:64 "})
    void engineParse_roundTripsWithAlias(String alias) {
        Engine e = Engine.parse(alias);
        assertEquals(alias.strip().toLowerCase(java.util.Locale.ROOT), e.alias());
        assertEquals(e, Engine.parse(e.alias()));
        assertEquals(Engine.ring(1000), Engine.parse("ring:1000"), "rounded up as Engine.ring rounds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ring", "ring:0", "ring:lots", "disruptor", "", "ring:1048577"})
    void engineParse_badAliasThrowsNamingTheForms(String alias) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.parse(alias));
        assertTrue(e.getMessage().startsWith("engine: \"" + alias + "\" ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("expected: queues, or ring:SIZE with SIZE from 1 to 1048576)"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(StrategyType.class)
    void everyStrategy_hasItsKebabCaseNameAndLosslessFlag(StrategyType type) {
        Overflow o = type.overflow(NO_WAIT);
        assertEquals(type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), o.name());
        assertTrue(o.alias().startsWith(o.name()), o.alias());
        assertEquals(type == StrategyType.SLOW_PRODUCER || type == StrategyType.ELASTIC_WORKERS, o.lossless());
    }

    // ================================================================== helpers

    private static List<Delivery<Integer>> deliveries(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive)
                .mapToObj(s -> new Delivery<>(s, (int) s))
                .toList();
    }

    private static void publishAll(Hub<Integer> hub, int fromInclusive, int toInclusive) {
        for (int m = fromInclusive; m <= toInclusive; m++) {
            PublishResult r = hub.publishAndReport(m);
            assertEquals(r.subscribers(), r.accepted(), () -> "setup publish not accepted: " + r);
        }
    }

    private static List<Delivery<Integer>> pollAll(Subscription<Integer> subscription) {
        PullSubscription<Integer> sub = (PullSubscription<Integer>) subscription;
        List<Delivery<Integer>> out = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = sub.poll(); d.isPresent(); d = sub.poll()) {
            out.add(d.get());
        }
        return out;
    }

    private static Map<DropCause, Long> drops(DropCause cause, long n) {
        return Map.of(cause, n);
    }

    /** The non-zero drop counters, by cause. */
    private static Map<DropCause, Long> dropsOf(PublishResult r) {
        return nonZero(c -> r.dropped(c));
    }

    private static Map<DropCause, Long> dropsOf(SubscriptionStats s) {
        return nonZero(s::dropped);
    }

    private static Map<DropCause, Long> dropsOf(HubStats s) {
        return nonZero(s::dropped);
    }

    private static Map<DropCause, Long> nonZero(java.util.function.ToLongFunction<DropCause> counter) {
        Map<DropCause, Long> m = new EnumMap<>(DropCause.class);
        for (DropCause c : DropCause.values()) {
            long n = counter.applyAsLong(c);
            if (n != 0) {
                m.put(c, n);
            }
        }
        return m;
    }

    private static void assertBalanced(SubscriptionStats s) {
        assertEquals(s.offered(), s.delivered() + s.dropped() + s.depth(),
                () -> "offered == delivered + dropped + depth: " + s);
    }

    private static void assertOutcomesAddUp(PublishResult r) {
        assertEquals(r.subscribers(), r.accepted() + r.dropped(DropCause.NEWEST) + r.dropped(DropCause.TIMEOUT)
                + r.disconnected() + r.dropped(DropCause.CLOSED), () -> "one outcome per subscriber: " + r);
    }

    /** Waits until {@code t} parks (publish waiting for room); fails if it ends instead. */
    private static void awaitParked(Thread t) {
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            if (!t.isAlive()) {
                fail(t.getName() + " ended without parking");
            }
            Thread.onSpinWait();
        }
    }

    /** Deliveries received by a push handler, on any thread. */
    private static final class Queue {
        private final ConcurrentLinkedQueue<Delivery<Integer>> items = new ConcurrentLinkedQueue<>();

        void add(long sequence, Integer message) {
            items.add(new Delivery<>(sequence, message));
        }

        List<Delivery<Integer>> inOrder() {
            return List.copyOf(items);
        }

        List<Delivery<Integer>> sorted() {
            return items.stream().sorted(Comparator.comparingLong(Delivery::sequence)).toList();
        }
    }

    /** Holds tasks until {@link #open()}, then runs each on a virtual thread. */
    private static final class GatedExecutor implements Executor {
        private final List<Runnable> held = new ArrayList<>();
        private boolean open;

        @Override
        public synchronized void execute(Runnable task) {
            if (open) {
                Thread.ofVirtual().start(task);
            } else {
                held.add(task);
            }
        }

        synchronized void open() {
            open = true;
            held.forEach(Thread.ofVirtual()::start);
            held.clear();
        }
    }

    /** Records what the hub reports; thread-safe. */
    private static final class RecordingListener implements HubListener {
        private final Map<DropCause, Long> drops = new EnumMap<>(DropCause.class);
        private final List<CloseReason> closes = new CopyOnWriteArrayList<>();
        private final List<Subscription<?>> errorSubscriptions = new CopyOnWriteArrayList<>();
        private final List<Long> errorSequences = new CopyOnWriteArrayList<>();
        private final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public synchronized void onDrop(Subscription<?> subscription, DropCause cause, long count) {
            assertTrue(count >= 1, "count " + count);
            drops.merge(cause, count, Long::sum);
        }

        @Override
        public void onClose(Subscription<?> subscription, CloseReason reason) {
            closes.add(reason);
        }

        @Override
        public synchronized void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
            errorSubscriptions.add(subscription);
            errorSequences.add(sequence);
            errors.add(error);
        }

        synchronized Map<DropCause, Long> drops() {
            return Map.copyOf(drops);
        }

        List<CloseReason> closes() {
            return List.copyOf(closes);
        }

        List<Subscription<?>> errorSubscriptions() {
            return List.copyOf(errorSubscriptions);
        }

        List<Long> errorSequences() {
            return List.copyOf(errorSequences);
        }

        List<Throwable> errors() {
            return List.copyOf(errors);
        }
    }
}
