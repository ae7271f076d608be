package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random operation sequences applied, on one thread, to a real hub and to a reference model (an
 * {@link ArrayDeque} per subscriber that implements the strategy's rule in the plainest way).
 * After every step, what was taken and every counter must be the same.
 *
 * <p>Messages are {@code 10 * n + k} with {@code k} in 0..5, so {@code latestPerKey} (keyed by
 * the last digit, see {@link StrategyType#key}) sees six keys against a capacity of four: both
 * supersedes and evictions happen.
 */
class ModelBasedTest {

    private static final int CAPACITY = 4;
    private static final int MAX_SUBSCRIBERS = 3;

    /** One step of a scenario. Subscriber indexes are taken modulo the subscribers made so far. */
    sealed interface Op permits Publish, Poll, Drain, Close, Subscribe {
    }

    record Publish(int message) implements Op {
    }

    record Poll(int subscriber) implements Op {
    }

    record Drain(int subscriber, int limit) implements Op {
    }

    record Close(int subscriber) implements Op {
    }

    record Subscribe() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> scenarios() {
        Arbitrary<Integer> subscriber = Arbitraries.integers().between(0, MAX_SUBSCRIBERS - 1);
        Arbitrary<Integer> message = Combinators.combine(
                Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 5))
                .as((n, key) -> 10 * n + key);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(8, message.map(Publish::new)),
                Tuple.of(4, subscriber.map(Poll::new)),
                Tuple.of(2, Combinators.combine(subscriber, Arbitraries.integers().between(1, 5)).as(Drain::new)),
                Tuple.of(1, subscriber.map(Close::new)),
                Tuple.of(1, Arbitraries.just(new Subscribe())));
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 200)
    void slowProducerWithoutWait_matchesModel(@ForAll("scenarios") List<Op> ops) {
        run(StrategyType.SLOW_PRODUCER, ops);
    }

    @Property(tries = 200)
    void dropOldest_matchesModel(@ForAll("scenarios") List<Op> ops) {
        run(StrategyType.DROP_OLDEST, ops);
    }

    @Property(tries = 200)
    void dropNewest_matchesModel(@ForAll("scenarios") List<Op> ops) {
        run(StrategyType.DROP_NEWEST, ops);
    }

    @Property(tries = 200)
    void latestOnly_matchesModel(@ForAll("scenarios") List<Op> ops) {
        run(StrategyType.LATEST_ONLY, ops);
    }

    @Property(tries = 200)
    void latestPerKey_matchesModel(@ForAll("scenarios") List<Op> ops) {
        run(StrategyType.LATEST_PER_KEY, ops);
    }

    @Property(tries = 200)
    void disconnect_matchesModel(@ForAll("scenarios") List<Op> ops) {
        run(StrategyType.DISCONNECT, ops);
    }

    // ------------------------------------------------------------------ the run

    private static void run(StrategyType type, List<Op> ops) {
        Hub<Integer> hub = Hub.<Integer>builder().capacity(CAPACITY).build();
        Overflow overflow = type.overflow(Duration.ZERO); // slow-producer: a full buffer times out at once
        List<PullSubscription<Integer>> real = new ArrayList<>();
        ModelHub model = new ModelHub(type);
        real.add(hub.subscribe(overflow));
        model.subscribe();

        for (int step = 0; step < ops.size(); step++) {
            Op op = ops.get(step);
            String where = "step " + step + " " + op + " of " + ops;
            switch (op) {
                case Publish p -> {
                    PublishResult r = hub.publishAndReport(p.message());
                    ModelResult expected = model.publish(p.message());
                    assertEquals(expected, ModelResult.of(r), where);
                }
                case Poll p -> {
                    int i = p.subscriber() % real.size();
                    assertEquals(model.subs.get(i).poll(), real.get(i).poll(), where);
                }
                case Drain d -> {
                    int i = d.subscriber() % real.size();
                    List<Delivery<Integer>> taken = new ArrayList<>();
                    int n = real.get(i).drain((seq, m) -> taken.add(new Delivery<>(seq, m)), d.limit());
                    List<Delivery<Integer>> expected = model.subs.get(i).drain(d.limit());
                    assertEquals(expected, taken, where);
                    assertEquals(expected.size(), n, where);
                }
                case Close c -> {
                    int i = c.subscriber() % real.size();
                    real.get(i).close();
                    model.subs.get(i).close(CloseReason.CLOSED);
                }
                case Subscribe s -> {
                    if (real.size() < MAX_SUBSCRIBERS) {
                        real.add(hub.subscribe(overflow));
                        model.subscribe();
                    }
                }
            }
            compare(hub, real, model, where);
        }
    }

    private static void compare(Hub<Integer> hub, List<PullSubscription<Integer>> real, ModelHub model, String where) {
        for (int i = 0; i < real.size(); i++) {
            Subscription<Integer> s = real.get(i);
            ModelSub m = model.subs.get(i);
            SubscriptionStats st = s.stats();
            String at = where + ", subscriber " + i + ": " + st;
            assertEquals(m.stats(), Counters.of(st), at);
            assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), at);
            assertEquals(m.reason != null, s.isClosed(), at);
            assertEquals(Optional.ofNullable(m.reason), s.closeReason(), at);
            if (m.lastTaken > 0) { // before the first take, see OverflowContractTest#lastSequence_*
                assertEquals(m.lastTaken, s.lastSequence(), at);
                assertEquals(model.sequence - m.lastTaken, st.lag(), at);
            }
        }
        assertEquals(model.stats(), HubCounters.of(hub.stats()), where + ": " + hub.stats());
        assertEquals(model.attached(), hub.subscriberCount(), where);
    }

    // ------------------------------------------------------------------ the model

    /** What the model expects a publish to report. */
    record ModelResult(long sequence, int subscribers, int accepted, List<Integer> drops, int disconnected,
                       int timedOut) {
        static ModelResult of(PublishResult r) {
            return new ModelResult(r.sequence(), r.subscribers(), r.accepted(),
                    Arrays.stream(DropCause.values()).map(r::dropped).toList(), r.disconnected(), r.timedOut());
        }
    }

    /** The subscription counters the model tracks. */
    record Counters(long offered, long delivered, List<Long> drops, int depth, int highWaterDepth, int capacity) {
        static Counters of(SubscriptionStats s) {
            return new Counters(s.offered(), s.delivered(), Arrays.stream(DropCause.values()).map(s::dropped).toList(),
                    s.depth(), s.highWaterDepth(), s.capacity());
        }
    }

    /** The hub counters the model tracks. */
    record HubCounters(long published, int subscribers, long subscribed, long disconnects, long offered,
                       long delivered, List<Long> drops) {
        static HubCounters of(HubStats s) {
            return new HubCounters(s.published(), s.subscribers(), s.subscribed(), s.disconnects(), s.offered(),
                    s.delivered(), Arrays.stream(DropCause.values()).map(s::dropped).toList());
        }
    }

    private static final class ModelHub {
        final StrategyType type;
        final List<ModelSub> subs = new ArrayList<>();
        long sequence;
        long disconnects;

        ModelHub(StrategyType type) {
            this.type = type;
        }

        void subscribe() {
            subs.add(new ModelSub(type, type == StrategyType.LATEST_ONLY ? 1 : CAPACITY));
        }

        ModelResult publish(int message) {
            Delivery<Integer> d = new Delivery<>(++sequence, message);
            int[] drops = new int[DropCause.values().length];
            int subscribers = 0;
            int accepted = 0;
            for (ModelSub s : subs) {
                if (s.reason != null) {
                    continue; // detached
                }
                subscribers++;
                DropCause cause = s.offer(d);
                if (cause == null || cause == DropCause.OLDEST || cause == DropCause.SUPERSEDED) {
                    accepted++;
                }
                if (cause != null) {
                    drops[cause.ordinal()]++;
                }
            }
            disconnects += drops[DropCause.DISCONNECTED.ordinal()];
            return new ModelResult(sequence, subscribers, accepted, Arrays.stream(drops).boxed().toList(),
                    drops[DropCause.DISCONNECTED.ordinal()], drops[DropCause.TIMEOUT.ordinal()]);
        }

        int attached() {
            return (int) subs.stream().filter(s -> s.reason == null).count();
        }

        HubCounters stats() {
            long[] drops = new long[DropCause.values().length];
            for (ModelSub s : subs) {
                for (int i = 0; i < drops.length; i++) {
                    drops[i] += s.drops[i];
                }
            }
            return new HubCounters(sequence, attached(), subs.size(), disconnects,
                    subs.stream().mapToLong(s -> s.offered).sum(),
                    subs.stream().mapToLong(s -> s.delivered).sum(),
                    Arrays.stream(drops).boxed().toList());
        }
    }

    /** One subscriber: a deque and the strategy's rule, spelled out. */
    private static final class ModelSub {
        final StrategyType type;
        final int capacity;
        final ArrayDeque<Delivery<Integer>> queue = new ArrayDeque<>();
        final long[] drops = new long[DropCause.values().length];
        CloseReason reason;
        long offered;
        long delivered;
        long lastTaken;
        int highWater;

        ModelSub(StrategyType type, int capacity) {
            this.type = type;
            this.capacity = capacity;
        }

        /** @return the drop this offer caused, or null when the message was simply queued */
        DropCause offer(Delivery<Integer> d) {
            offered++;
            DropCause cause = switch (type) {
                case LATEST_PER_KEY -> {
                    Object key = StrategyType.key(d.message());
                    boolean replaced = queue.removeIf(q -> Objects.equals(StrategyType.key(q.message()), key));
                    queue.addLast(d);
                    if (replaced) {
                        yield DropCause.SUPERSEDED;
                    }
                    if (queue.size() > capacity) {
                        queue.removeFirst();
                        yield DropCause.OLDEST;
                    }
                    yield null;
                }
                case LATEST_ONLY -> {
                    boolean replaced = queue.pollFirst() != null;
                    queue.addLast(d);
                    yield replaced ? DropCause.SUPERSEDED : null;
                }
                default -> {
                    if (queue.size() < capacity) {
                        queue.addLast(d);
                        yield null;
                    }
                    yield switch (type) {
                        case SLOW_PRODUCER -> DropCause.TIMEOUT;
                        case DROP_OLDEST -> {
                            queue.removeFirst();
                            queue.addLast(d);
                            yield DropCause.OLDEST;
                        }
                        case DROP_NEWEST -> DropCause.NEWEST;
                        case DISCONNECT -> {
                            close(CloseReason.SLOW);
                            yield DropCause.DISCONNECTED;
                        }
                        default -> throw new AssertionError(type);
                    };
                }
            };
            if (cause != null) {
                drops[cause.ordinal()]++;
            }
            if (cause != DropCause.TIMEOUT && cause != DropCause.NEWEST && cause != DropCause.DISCONNECTED) {
                highWater = Math.max(highWater, queue.size());
            }
            return cause;
        }

        void close(CloseReason why) {
            if (reason == null) {
                reason = why;
            }
            discardIfEnded();
        }

        /** An ended subscription counts what it holds as dropped at once. */
        private boolean discardIfEnded() {
            if (reason == null) {
                return false;
            }
            DropCause cause = reason == CloseReason.SLOW ? DropCause.DISCONNECTED : DropCause.CLOSED;
            drops[cause.ordinal()] += queue.size();
            queue.clear();
            return true;
        }

        Optional<Delivery<Integer>> poll() {
            if (discardIfEnded() || queue.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(take());
        }

        List<Delivery<Integer>> drain(int limit) {
            List<Delivery<Integer>> out = new ArrayList<>();
            if (discardIfEnded()) {
                return out;
            }
            while (out.size() < limit && !queue.isEmpty()) {
                out.add(take());
            }
            return out;
        }

        private Delivery<Integer> take() {
            Delivery<Integer> d = queue.removeFirst();
            delivered++;
            lastTaken = d.sequence();
            return d;
        }

        Counters stats() {
            return new Counters(offered, delivered, Arrays.stream(drops).boxed().toList(), queue.size(), highWater,
                    capacity);
        }
    }
}
