package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.spi.HubListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link FlowPublisher}: demand, zero demand under each kind of strategy, cancel, the ends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowPublisherTest {

    private static final Duration QUIET = Duration.ofMillis(200);

    private static Hub<Integer> hub(String name) {
        return Hub.<Integer>builder().name(name).build();
    }

    @Test
    void request_deliversExactlyWhatWasRequested_thenCompletesAfterTheHubCloses() throws Exception {
        try (Hub<Integer> hub = hub("exact")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.slowProducer(Duration.ofSeconds(30))).subscribe(r);
            assertEquals("subscribe", r.next());
            for (int i = 1; i <= 10; i++) {
                hub.publish(i);
            }
            r.request(3);
            assertEquals(List.of("next 1", "next 2", "next 3"), List.of(r.next(), r.next(), r.next()));
            hub.close(); // seven held: they wait for demand, and so does the completion
            assertNull(r.nextWithin(QUIET));
            r.request(7);
            for (int i = 4; i <= 10; i++) {
                assertEquals("next " + i, r.next());
            }
            assertEquals("complete", r.next());
            assertEquals(List.of(), r.breaches);
            assertNotSame(Thread.currentThread(), r.signallingThread);
        }
    }

    @Test
    void zeroDemand_messagesAccumulateUnderTheStrategy_dropOldestKeepsTheNewest() throws Exception {
        try (Hub<Integer> hub = hub("zero-demand")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.dropOldest(), 4).subscribe(r);
            assertEquals("subscribe", r.next());
            for (int i = 1; i <= 10; i++) {
                hub.publish(i);
            }
            hub.close();
            r.request(Long.MAX_VALUE);
            assertEquals(List.of("next 7", "next 8", "next 9", "next 10", "complete"),
                    List.of(r.next(), r.next(), r.next(), r.next(), r.next()));
            assertEquals(6, hub.stats().dropped(DropCause.OLDEST));
            assertEquals(List.of(), r.breaches);
        }
    }

    @Test
    void zeroDemand_underSlowProducer_parksThePublisherUntilARequest() throws Exception {
        try (Hub<Integer> hub = hub("zero-demand-lossless")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.slowProducer(Duration.ofSeconds(30)), 2).subscribe(r);
            assertEquals("subscribe", r.next());
            hub.publish(1);
            hub.publish(2);
            CompletableFuture<PublishResult> third = CompletableFuture.supplyAsync(() -> hub.publishAndReport(3),
                    r2 -> Thread.ofVirtual().start(r2));
            while (hub.waitingPublisher() == null) {
                Thread.onSpinWait(); // the third publish parks: the buffer of 2 is full and nothing is requested
            }
            r.request(1); // one taken makes room
            assertEquals("next 1", r.next());
            PublishResult result = third.get(30, TimeUnit.SECONDS);
            assertTrue(result.allAccepted(), result.toString());
            r.request(2);
            assertEquals(List.of("next 2", "next 3"), List.of(r.next(), r.next()));
            assertEquals(0, hub.stats().dropped());
        }
    }

    @Test
    void zeroDemand_underDisconnect_signalsTooSlowAtOnce() throws Exception {
        try (Hub<Integer> hub = hub("too-slow")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.disconnect(), 4).subscribe(r);
            assertEquals("subscribe", r.next());
            for (int i = 1; i <= 5; i++) {
                hub.publish(i); // the fifth finds the buffer of 4 full
            }
            assertEquals("error SubscriberTooSlowException", r.next());
            SubscriberTooSlowException e = assertInstanceOf(SubscriberTooSlowException.class, r.error);
            assertEquals(CloseReason.SLOW, e.closeReason());
            assertEquals("too-slow", e.hubName());
            assertEquals(0, e.delivered());
            assertEquals(5, e.dropped());
            assertEquals("hub too-slow: subscriber too slow: its buffer of 4 was full (overflow disconnect);"
                    + " delivered 0, dropped 5 at the disconnect", e.getMessage());
            assertEquals(0, hub.subscriberCount());
            r.request(10); // after the end: a no-op
            assertNull(r.nextWithin(QUIET));
            assertEquals(List.of(), r.breaches);
        }
    }

    @Test
    void disconnect_whileDelivering_endsWithTooSlowAfterWhatWasDelivered() throws Exception {
        try (Hub<Integer> hub = hub("too-slow-later")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(2);
            FlowPublisher.of(hub, Overflow.disconnect(), 2).subscribe(r);
            assertEquals("subscribe", r.next());
            hub.publish(1);
            hub.publish(2);
            assertEquals(List.of("next 1", "next 2"), List.of(r.next(), r.next()));
            for (int i = 3; i <= 5; i++) {
                hub.publish(i); // no demand left: 3 and 4 fill the buffer, 5 disconnects
            }
            assertEquals("error SubscriberTooSlowException", r.next());
            assertEquals(2, ((SubscriberTooSlowException) r.error).delivered());
            assertEquals(List.of(), r.breaches);
        }
    }

    @Test
    void cancel_fromOnNext_stopsDeliveryAndDetachesFromTheHub() throws Exception {
        try (Hub<Integer> hub = hub("cancel")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(Long.MAX_VALUE, (rec, item) -> {
                if (item == 2) {
                    rec.subscription.cancel();
                }
            });
            FlowPublisher.of(hub, Overflow.slowProducer(Duration.ofSeconds(30))).subscribe(r);
            assertEquals("subscribe", r.next());
            for (int i = 1; i <= 10; i++) {
                hub.publish(i); // delivered in batches: cancel cuts the batch it is in
            }
            assertEquals(List.of("next 1", "next 2"), List.of(r.next(), r.next()));
            hub.close();
            assertNull(r.nextWithin(QUIET), "no signal after cancel, not even onComplete");
            assertEquals(0, hub.subscriberCount());
            assertEquals(List.of(), r.breaches);
        }
    }

    @Test
    void cancel_whileWaitingForDemand_endsTheRelay() throws Exception {
        try (Hub<Integer> hub = hub("cancel-idle")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.slowProducer(Duration.ofSeconds(30))).subscribe(r);
            assertEquals("subscribe", r.next());
            hub.publish(1);
            r.subscription.cancel();
            r.subscription.cancel(); // idempotent
            r.request(5); // after cancel: a no-op
            assertNull(r.nextWithin(QUIET));
            assertEquals(0, hub.subscriberCount());
            assertEquals(1, hub.stats().dropped(DropCause.CLOSED), "what it held is dropped, counted as closed");
        }
    }

    @Test
    void subscribeToAClosedHub_completesAtOnce() throws Exception {
        Hub<Integer> hub = hub("closed");
        hub.close();
        FlowRecorder<Integer> r = new FlowRecorder<>(1);
        FlowPublisher.of(hub, Overflow.dropOldest()).subscribe(r);
        assertEquals(List.of("subscribe", "complete"), List.of(r.next(), r.next()));
        assertEquals(List.of(), r.breaches);
    }

    @Test
    void emptyHubClose_completesWithoutDemand() throws Exception {
        try (Hub<Integer> hub = hub("empty")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.latestOnly()).subscribe(r);
            assertEquals("subscribe", r.next());
            hub.close();
            assertEquals("complete", r.next());
        }
    }

    @Test
    void invalidRequest_signalsIllegalArgumentNamingRule39() throws Exception {
        try (Hub<Integer> hub = hub("invalid")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(0);
            FlowPublisher.of(hub, Overflow.dropNewest()).subscribe(r);
            assertEquals("subscribe", r.next());
            r.subscription.request(0);
            assertEquals("error IllegalArgumentException", r.next());
            assertEquals("request: 0 (expected: > 0, Reactive Streams rule 3.9)", r.error.getMessage());
            assertEquals(0, hub.subscriberCount());
        }
    }

    @Test
    void throwingOnNext_endsTheSubscriptionAndReachesTheListener() throws Exception {
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        HubListener listener = new HubListener() {
            @Override
            public void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
                errors.add(error);
            }
        };
        try (Hub<Integer> hub = Hub.<Integer>builder().name("throws").listener(listener).build()) {
            FlowRecorder<Integer> r = new FlowRecorder<>(Long.MAX_VALUE, (rec, item) -> {
                throw new IllegalStateException("boom " + item);
            });
            FlowPublisher.of(hub, Overflow.slowProducer(Duration.ofSeconds(30))).subscribe(r);
            assertEquals("subscribe", r.next());
            hub.publish(1);
            hub.publish(2);
            assertEquals("next 1", r.next());
            while (hub.subscriberCount() != 0) {
                Thread.onSpinWait();
            }
            assertNull(r.nextWithin(QUIET), "no signal after the subscriber broke rule 2.13");
            assertEquals(1, errors.size());
            assertEquals("boom 1", errors.get(0).getMessage());
        }
    }

    @Test
    void of_refusesWhatAFlowSubscriberCannotBeServedWith() {
        try (Hub<Integer> queues = hub("refuse");
             Hub<Integer> ring = Hub.<Integer>builder().name("refuse-ring").engine(Engine.ring(64)).build()) {
            assertThrows(IllegalArgumentException.class,
                    () -> FlowPublisher.of(queues, Overflow.elasticWorkers(1, 2, 0, Duration.ofSeconds(1))));
            assertThrows(IllegalArgumentException.class, () -> FlowPublisher.of(ring, Overflow.dropNewest()));
            assertThrows(IllegalArgumentException.class, () -> FlowPublisher.of(queues, Overflow.dropOldest(), -1));
            assertThrows(NullPointerException.class, () -> FlowPublisher.of(queues, Overflow.dropOldest()).subscribe(null));
            assertSame(queues, FlowPublisher.of(queues, Overflow.dropOldest()).hub());
        }
    }

    /**
     * Several subscribers of one lossless hub on each engine, two publishers, each subscriber
     * requesting in random amounts both from inside {@code onNext} and from a thread of its own:
     * each receives every message once, in order, never beyond its demand, and then completes.
     */
    @Test
    void concurrentRequests_neverExceedDemand_andLoseNothing() throws Exception {
        for (EngineType engine : EngineType.values()) {
            int n = 10_000;
            int subscribers = 3;
            Hub<Integer> hub = Hub.<Integer>builder().name("race-" + engine)
                    .engine(engine.isRing() ? Engine.ring(64) : Engine.queues()).capacity(16)
                    .overflow(Overflow.slowProducer(Duration.ofSeconds(30))).build();
            try (hub) {
                FlowPublisher<Integer> publisher = FlowPublisher.of(hub, Overflow.slowProducer(Duration.ofSeconds(30)));
                List<FlowRecorder<Integer>> recorders = new ArrayList<>();
                List<Thread> requesters = new ArrayList<>();
                for (int s = 0; s < subscribers; s++) {
                    FlowRecorder<Integer> r = new FlowRecorder<>(1, (rec, item) -> {
                        if (ThreadLocalRandom.current().nextInt(4) == 0) {
                            rec.request(1 + ThreadLocalRandom.current().nextInt(3));
                        }
                    });
                    publisher.subscribe(r);
                    assertEquals("subscribe", r.next());
                    recorders.add(r);
                    requesters.add(Thread.ofVirtual().start(() -> {
                        while (!Thread.currentThread().isInterrupted() && r.received.get() < n) {
                            if (r.requested.get() - r.received.get() < 4) {
                                r.request(1 + ThreadLocalRandom.current().nextInt(5));
                            }
                            LockSupport.parkNanos(20_000);
                        }
                    }));
                }
                try {
                    produceAndCheck(engine, hub, n, recorders, requesters);
                } finally {
                    requesters.forEach(Thread::interrupt); // they stop on their own when all arrived
                }
            }
        }
    }

    private static void produceAndCheck(EngineType engine, Hub<Integer> hub, int n, List<FlowRecorder<Integer>> recorders,
                                List<Thread> requesters) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Integer> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runnable producer = () -> {
            while (true) {
                synchronized (next) { // two publishers; the lock keeps values in sequence order
                    int v = next.incrementAndGet();
                    if (v > n) {
                        return;
                    }
                    if (hub.publish(v) < 0) {
                        failures.add(v);
                    }
                }
            }
        };
        Thread p1 = Thread.ofPlatform().start(producer);
        Thread p2 = Thread.ofPlatform().start(producer);
        p1.join();
        p2.join();
        hub.close();
        for (FlowRecorder<Integer> r : recorders) {
            r.request(Long.MAX_VALUE); // whatever is left
        }
        for (int s = 0; s < recorders.size(); s++) {
            FlowRecorder<Integer> r = recorders.get(s);
            String last;
            while ((last = r.next()) != null && last.startsWith("next")) {
                // drain the signal log up to the terminal one
            }
            requesters.get(s).interrupt();
            requesters.get(s).join();
            assertEquals("complete", last, engine + " subscriber " + s);
            assertEquals(LongStream.rangeClosed(1, n).boxed().map(Long::intValue).toList(), r.items,
                    engine + " subscriber " + s + ": every message once, in order");
            assertEquals(List.of(), r.breaches, engine + " subscriber " + s);
        }
        assertEquals(List.of(), failures);
        assertEquals(0, hub.stats().dropped());
    }

    @Test
    void signals_runOnAThreadOfTheSubscribersOwn() throws Exception {
        try (Hub<Integer> hub = hub("threads")) {
            FlowRecorder<Integer> r = new FlowRecorder<>(1);
            FlowPublisher.of(hub, Overflow.dropOldest()).subscribe(r);
            assertEquals("subscribe", r.next());
            Thread onSubscribe = r.signallingThread;
            hub.publish(1);
            assertEquals("next 1", r.next());
            assertNotNull(onSubscribe);
            assertSame(onSubscribe, r.signallingThread);
            assertTrue(onSubscribe.isVirtual());
            assertNotSame(Thread.currentThread(), onSubscribe);
        }
    }
}
