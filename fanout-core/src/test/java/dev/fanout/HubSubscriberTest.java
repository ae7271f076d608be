package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HubSubscriber}: demand tied to the hub's room, and what the ends do to the hub. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HubSubscriberTest {

    /** An upstream the test drives by hand: it records what was requested and whether it was cancelled. */
    private static final class Upstream implements Flow.Subscription {
        final AtomicLong requested = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    @Test
    void demand_isOneBatchAhead_andRefillsAsPublishesReturn() {
        try (Hub<Integer> hub = Hub.<Integer>builder().name("batches").build()) {
            HubSubscriber<Integer> feeder = HubSubscriber.builder(hub).batchSize(8).build();
            Upstream up = new Upstream();
            feeder.onSubscribe(up);
            assertEquals(8, up.requested.get());
            for (int i = 1; i <= 3; i++) {
                feeder.onNext(i);
            }
            assertEquals(8, up.requested.get(), "no refill before half a batch was published");
            feeder.onNext(4);
            assertEquals(12, up.requested.get(), "half a batch more once four publishes returned");
            for (int i = 5; i <= 40; i++) {
                feeder.onNext(i);
                assertTrue(up.requested.get() - i <= 8, "never more than a batch ahead");
            }
            assertEquals(40, hub.sequence());
            assertEquals(40, feeder.published());
        }
    }

    /**
     * A real {@link SubmissionPublisher} feeding a hub whose lossless subscriber does not read:
     * the feeder's publish parks, the publisher's buffer fills and {@code submit} blocks; then the
     * subscriber reads and everything arrives, in order, nothing dropped.
     */
    @Test
    void slowestLosslessSubscriber_backpressuresASubmissionPublisher() throws Exception {
        try (Hub<Integer> hub = Hub.<Integer>builder().name("backpressure").capacity(4)
                .overflow(Overflow.slowProducer(Duration.ofSeconds(30))).build();
             SubmissionPublisher<Integer> source = new SubmissionPublisher<>(
                     r -> Thread.ofVirtual().start(r), 8)) {
            PullSubscription<Integer> audit = hub.subscribe();
            HubSubscriber<Integer> feeder = HubSubscriber.builder(hub).batchSize(4).closeHubOnComplete().build();
            source.subscribe(feeder);
            AtomicLong submitted = new AtomicLong();
            Thread producer = Thread.ofVirtual().start(() -> {
                for (int i = 1; i <= 100; i++) {
                    source.submit(i); // blocks while the source's buffer is full
                    submitted.set(i);
                }
                source.close();
            });
            while (hub.waitingPublisher() == null) {
                Thread.onSpinWait(); // the feeder parks in publish: the audit's buffer of 4 is full
            }
            while (producer.getState() != Thread.State.WAITING || submitted.get() == 0) {
                Thread.onSpinWait(); // and the producer blocks in submit
            }
            long stuckAt = submitted.get();
            assertEquals(5, hub.sequence(), "four held by the audit, the fifth waiting for room");
            assertTrue(stuckAt <= 5 + 4 + 8 + 1, "the producer is held back by the hub: submitted " + stuckAt);
            List<Integer> got = new ArrayList<>();
            audit.forEach((seq, m) -> got.add(m)); // returns when the feeder's completion closes the hub
            producer.join();
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 100).boxed().toList(), got);
            assertEquals(0, hub.stats().dropped());
            assertTrue(hub.isClosed());
            feeder.completion().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void onComplete_leavesTheHubOpenByDefault() throws Exception {
        try (Hub<Integer> hub = Hub.<Integer>builder().name("stays-open").build()) {
            HubSubscriber<Integer> feeder = HubSubscriber.of(hub);
            feeder.onSubscribe(new Upstream());
            feeder.onNext(1);
            feeder.onComplete();
            assertFalse(hub.isClosed());
            assertTrue(feeder.completion().isDone());
            feeder.completion().get();
        }
    }

    @Test
    void onError_failsTheCompletion_andClosesTheHubWhenAsked() {
        try (Hub<Integer> open = Hub.<Integer>builder().name("error-open").build();
             Hub<Integer> closing = Hub.<Integer>builder().name("error-closes").build()) {
            HubSubscriber<Integer> keeps = HubSubscriber.of(open);
            HubSubscriber<Integer> closes = HubSubscriber.builder(closing).closeHubOnError().build();
            IllegalStateException boom = new IllegalStateException("upstream failed");
            for (HubSubscriber<Integer> f : List.of(keeps, closes)) {
                f.onSubscribe(new Upstream());
                f.onError(boom);
                CompletionException e = assertThrows(CompletionException.class, () -> f.completion().join());
                assertSame(boom, e.getCause());
            }
            assertFalse(open.isClosed());
            assertTrue(closing.isClosed());
        }
    }

    @Test
    void hubClosedUnderIt_cancelsTheUpstream() {
        Hub<Integer> hub = Hub.<Integer>builder().name("closed-under").build();
        HubSubscriber<Integer> feeder = HubSubscriber.of(hub);
        Upstream up = new Upstream();
        feeder.onSubscribe(up);
        feeder.onNext(1);
        hub.close();
        feeder.onNext(2);
        assertTrue(up.cancelled.get());
        CompletionException e = assertThrows(CompletionException.class, () -> feeder.completion().join());
        assertEquals("hub closed-under was closed: upstream cancelled after 1 items", e.getCause().getMessage());
        feeder.onNext(3); // in flight after the cancel: ignored
        assertEquals(1, hub.sequence());
    }

    @Test
    void cancel_cancelsTheUpstream_andIgnoresItemsInFlight() {
        try (Hub<Integer> hub = Hub.<Integer>builder().name("cancel").build()) {
            HubSubscriber<Integer> feeder = HubSubscriber.of(hub);
            Upstream up = new Upstream();
            feeder.onSubscribe(up);
            feeder.onNext(1);
            feeder.cancel();
            feeder.cancel();
            feeder.onNext(2);
            assertTrue(up.cancelled.get());
            assertEquals(1, hub.sequence());
            assertInstanceOf(CancellationException.class,
                    assertThrows(CompletionException.class, () -> feeder.completion().join()).getCause());
            Upstream late = new Upstream();
            feeder.onSubscribe(late);
            assertTrue(late.cancelled.get(), "a subscription that comes after cancel() is cancelled");
            assertEquals(0, late.requested.get());
        }
    }

    @Test
    void secondOnSubscribe_isCancelled() {
        try (Hub<Integer> hub = Hub.<Integer>builder().name("twice").build()) {
            HubSubscriber<Integer> feeder = HubSubscriber.of(hub);
            Upstream first = new Upstream();
            Upstream second = new Upstream();
            feeder.onSubscribe(first);
            feeder.onSubscribe(second);
            assertFalse(first.cancelled.get());
            assertTrue(second.cancelled.get());
            assertEquals(0, second.requested.get());
        }
    }

    @Test
    void builder_refusesAHubThatFollowsAnothersNumbers_andBadOptions() {
        try (Hub<Integer> follower = Hub.<Integer>builder().name("follower").externalSequence().build();
             Hub<Integer> hub = Hub.<Integer>builder().name("options").build()) {
            assertThrows(IllegalArgumentException.class, () -> HubSubscriber.of(follower));
            assertEquals("batchSize: 0 (expected: > 0)",
                    assertThrows(IllegalArgumentException.class, () -> HubSubscriber.builder(hub).batchSize(0)).getMessage());
            assertThrows(IllegalStateException.class, () -> HubSubscriber.builder(hub).batchSize(2).batchSize(3));
            assertThrows(NullPointerException.class, () -> HubSubscriber.of(hub).onNext(null));
        }
    }
}
