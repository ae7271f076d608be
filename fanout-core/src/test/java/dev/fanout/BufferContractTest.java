package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every queue-engine {@link Buffer} keeps, written once and run over each kind,
 * in the manner of JCTools' {@code QueueSanityTest}: empty when new, exact (sequence, message)
 * pairs in sequence order, never more held than the capacity, a full FIFO refuses and an
 * evicting buffer says what it evicted, {@code drain} respects its limit, {@code discard}
 * empties, and one producer against one consumer loses and reorders nothing.
 *
 * <p>Sequence numbers are offered with gaps (every third number skipped), since a subscriber's
 * buffer sees a gap whenever a message was not offered to it; {@link SequencedQueue} must then
 * still report each message's own number.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BufferContractTest {

    /** Each buffer kind, as its strategy builds it. */
    enum Kind {
        /** slowProducer, dropNewest, disconnect with one consumer. */
        SEQUENCED(true, c -> new SequencedQueue<>(c)),
        /** The same strategies under elasticWorkers: several consumers. */
        QUEUE_SPMC(true, c -> new QueueBuffer<>(c)),
        DROP_OLDEST(false, c -> new DropOldestBuffer<>(c)),
        /** Distinct keys, so it behaves as a FIFO that evicts the oldest. */
        LATEST_PER_KEY(false, c -> new LatestPerKeyBuffer<>(Function.identity(), c)),
        /** Always capacity 1. */
        LATEST_ONLY(false, c -> new LatestBuffer<>());

        final boolean refusesWhenFull;
        private final Function<Integer, Buffer<Long>> factory;

        Kind(boolean refusesWhenFull, Function<Integer, Buffer<Long>> factory) {
            this.refusesWhenFull = refusesWhenFull;
            this.factory = factory;
        }

        Buffer<Long> make(int capacity) {
            return factory.apply(capacity);
        }

        int capacity(int asked) {
            return this == LATEST_ONLY ? 1 : asked;
        }
    }

    /** Capacities below, at and above JCTools' smallest queue (which holds at least 4 or 8). */
    private static final int[] CAPACITIES = {1, 2, 4, 8, 16, 64};

    private final Offer<Long> offer = new Offer<>();
    private Hub<Long> hub;
    private Ledger<Long> ledger;

    @BeforeEach
    void openLedger() {
        // a Sink needs an open subscription's ledger: borrow one that is never offered anything
        hub = Hub.<Long>builder().name("buffer-contract").build();
        ledger = ((AbstractSubscription<Long>) (Object) hub.subscribe()).ledger;
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    /** The message of sequence {@code s}: distinct from {@code s}, so a mismatch shows. */
    private static long messageOf(long s) {
        return s * 7 + 3;
    }

    /** The n-th sequence offered: 1, 2, 4, 5, 7, 8, ... (every third number is a gap). */
    private static long sequenceAt(long n) {
        return n + (n - 1) / 2;
    }

    private int offer(Buffer<Long> b, long seq) {
        offer.set(seq, messageOf(seq), null);
        try {
            return b.offer(offer);
        } finally {
            offer.clear();
        }
    }

    private final class Collect extends Sink<Long> {
        final List<Delivery<Long>> got = new ArrayList<>();

        Collect() {
            super(ledger);
        }

        @Override
        void handle(long sequence, Long message) {
            got.add(new Delivery<>(sequence, message));
        }
    }

    private static void assertExact(long expectedSeq, Delivery<Long> d) {
        assertEquals(expectedSeq, d.sequence(), "sequence");
        assertEquals(messageOf(expectedSeq), d.message(), "the message of sequence " + expectedSeq);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNewBufferIsEmpty(Kind kind) {
        for (int c : CAPACITIES) {
            Buffer<Long> b = kind.make(c);
            assertTrue(b.isEmpty());
            assertEquals(0, b.size());
            assertEquals(kind.capacity(c), b.capacity());
            assertNull(b.poll());
            assertEquals(0, b.drain(new Collect(), 10));
            assertEquals(0, b.discard());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void offerThenPoll_givesTheSamePairBack(Kind kind) {
        Buffer<Long> b = kind.make(4);
        for (long n = 1; n <= 50; n++) {
            long seq = sequenceAt(n);
            assertEquals(Buffer.ACCEPTED, offer(b, seq));
            assertFalse(b.isEmpty());
            assertEquals(1, b.size());
            assertExact(seq, b.poll());
            assertTrue(b.isEmpty());
            assertNull(b.poll());
        }
    }

    /** Fill past the capacity: a FIFO refuses exactly at it; an evicting buffer keeps the newest. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void capacityIsHeldExactly(Kind kind) {
        for (int asked : CAPACITIES) {
            Buffer<Long> b = kind.make(asked);
            int capacity = kind.capacity(asked);
            int offers = capacity * 2 + 3;
            List<Long> kept = new ArrayList<>();
            int evictions = 0;
            for (long n = 1; n <= offers; n++) {
                long seq = sequenceAt(n);
                int outcome = offer(b, seq);
                if (n <= capacity) {
                    assertEquals(Buffer.ACCEPTED, outcome, kind + " capacity " + asked + ", offer " + n);
                    kept.add(seq);
                } else if (kind.refusesWhenFull) {
                    assertEquals(Buffer.FULL, outcome, kind + " capacity " + asked + ", offer " + n);
                } else {
                    assertNotEquals(Buffer.FULL, outcome, kind + " never refuses");
                    assertNotEquals(Buffer.ACCEPTED, outcome, kind + " must say it evicted or superseded");
                    evictions++;
                    kept.remove(0);
                    kept.add(seq);
                }
                assertTrue(b.size() <= capacity, kind + " holds " + b.size() + " > capacity " + capacity);
            }
            assertEquals(capacity, b.size());
            assertEquals(kind.refusesWhenFull ? 0 : offers - capacity, evictions);
            for (long seq : kept) {
                assertExact(seq, b.poll());
            }
            assertNull(b.poll(), "nothing beyond what was kept");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "LATEST_ONLY", mode = EnumSource.Mode.EXCLUDE)
    void drainRespectsItsLimitAndOrder(Kind kind) {
        Buffer<Long> b = kind.make(16);
        for (long n = 1; n <= 10; n++) {
            assertEquals(Buffer.ACCEPTED, offer(b, sequenceAt(n)));
        }
        Collect sink = new Collect();
        assertEquals(3, b.drain(sink, 3));
        assertEquals(7, b.size());
        assertEquals(2, b.drain(sink, 2));
        assertEquals(5, b.drain(sink, 100), "the rest, and no more");
        assertEquals(0, b.drain(sink, 100));
        assertEquals(10, sink.got.size());
        for (int i = 0; i < 10; i++) {
            assertExact(sequenceAt(i + 1), sink.got.get(i));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void discardEmptiesAndCounts_andTheNextMessageKeepsItsNumber(Kind kind) {
        Buffer<Long> b = kind.make(8);
        int held = kind.capacity(8);
        for (long n = 1; n <= held; n++) {
            offer(b, sequenceAt(n));
        }
        assertEquals(held, b.discard());
        assertTrue(b.isEmpty());
        assertNull(b.poll());
        long next = sequenceAt(held + 1);
        assertEquals(Buffer.ACCEPTED, offer(b, next));
        assertExact(next, b.poll());
    }

    /**
     * One producer thread against the consumer on the test thread, through every capacity: a
     * FIFO loses nothing (the producer retries a refused offer), every buffer hands out exact
     * pairs in strictly increasing order, and what an evicting buffer evicted plus what was
     * taken is what was offered.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void oneProducerOneConsumer_exactPairsInOrder(Kind kind) throws Exception {
        int messages = 20_000;
        ExecutorService producerThread = Executors.newSingleThreadExecutor();
        try {
            for (int asked : new int[] {1, 4, 64}) {
                Buffer<Long> b = kind.make(asked);
                Offer<Long> own = new Offer<>(); // the producer's, as each publisher owns one
                Future<Long> evictions = producerThread.submit((Callable<Long>) () -> {
                    long evicted = 0;
                    for (long n = 1; n <= messages; n++) {
                        long seq = sequenceAt(n);
                        own.set(seq, messageOf(seq), null);
                        int outcome;
                        while ((outcome = b.offer(own)) == Buffer.FULL) {
                            Thread.onSpinWait();
                        }
                        own.clear();
                        if (outcome != Buffer.ACCEPTED) {
                            evicted++;
                        }
                    }
                    return evicted;
                });
                long last = 0;
                long taken = 0;
                long round = 0;
                Collect sink = new Collect();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
                while (!(evictions.isDone() && b.isEmpty())) {
                    assertTrue(System.nanoTime() < deadline, kind + ": the exchange did not finish");
                    sink.got.clear();
                    if ((round++ & 1) == 0) {
                        Delivery<Long> d = b.poll();
                        if (d != null) {
                            sink.got.add(d);
                        }
                    } else {
                        assertEquals(b.drain(sink, 7), sink.got.size(), "drain counts what it handed over");
                    }
                    for (Delivery<Long> d : sink.got) {
                        assertTrue(d.sequence() > last, kind + ": " + d.sequence() + " after " + last);
                        assertEquals(messageOf(d.sequence()), d.message(), kind + ": the pair of " + d.sequence());
                        last = d.sequence();
                        taken++;
                    }
                }
                long evicted = evictions.get();
                assertEquals(sequenceAt(messages), last, kind + ": the last message arrives");
                assertEquals(messages, taken + evicted, kind + ": taken " + taken + " + evicted " + evicted);
                if (kind.refusesWhenFull) {
                    assertEquals(0, evicted, kind + " never evicts");
                }
            }
        } finally {
            producerThread.shutdownNow();
        }
    }
}
