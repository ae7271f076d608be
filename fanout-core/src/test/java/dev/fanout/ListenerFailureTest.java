package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.spi.HubListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link HubListener} is user code called on the publishing and consuming threads. Whatever
 * it throws, an {@link Error} or a checked exception included, never reaches {@code publish},
 * {@code poll} or {@code subscribe}, and never changes what is delivered or how it is counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerFailureTest {

    private static final int MESSAGES = 5;

    /** What every listener method throws. */
    enum Failure {
        ERROR(() -> new AssertionError("thrown by the listener")),
        CHECKED_EXCEPTION(() -> new IOException("checked, thrown by the listener"));

        private final Supplier<Throwable> make;

        Failure(Supplier<Throwable> make) {
            this.make = make;
        }

        RuntimeException raise() {
            return Bounded.sneakyThrow(make.get());
        }
    }

    /** Throws from onDrop, onClose and onHandlerError. */
    private static HubListener throwing(Failure failure) {
        return new HubListener() {
            @Override
            public void onClose(Subscription<?> subscription, CloseReason reason) {
                throw failure.raise();
            }

            @Override
            public void onDrop(Subscription<?> subscription, DropCause cause, long count) {
                throw failure.raise();
            }

            @Override
            public void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
                throw failure.raise();
            }
        };
    }

    /**
     * Queue engine: the first subscriber drops on every publish after the first, so the listener
     * throws inside each of those publishes, before the lossless subscriber after it is offered
     * the message.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Failure.class)
    void listenerThrowingFromOnDrop_onTheQueueEngine_publishReturnsAndALaterLosslessSubscriberGetsAll(
            Failure failure) {
        Hub<Integer> hub = Hub.<Integer>builder().listener(throwing(failure)).build();
        PullSubscription<Integer> dropping = hub.subscriber().overflow(Overflow.dropNewest()).capacity(1).subscribe();
        PullSubscription<Integer> lossless = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)));

        List<Throwable> fromPublish = new ArrayList<>();
        for (int m = 1; m <= MESSAGES; m++) {
            publish(hub, m).ifPresent(fromPublish::add);
        }
        List<Long> got = new ArrayList<>();
        List<Throwable> fromPoll = new ArrayList<>();
        pollAll(lossless, got, fromPoll);
        pollAll(dropping, new ArrayList<>(), fromPoll);

        SubscriptionStats d = dropping.stats();
        SubscriptionStats l = lossless.stats();
        HubStats h = hub.stats();
        assertAll(failure + ": dropping " + d + ", lossless " + l + ", hub " + h,
                () -> assertEquals(List.of(), fromPublish, "what publish threw"),
                () -> assertEquals(List.of(), fromPoll, "what poll threw"),
                () -> assertEquals(LongStream.rangeClosed(1, MESSAGES).boxed().toList(), got,
                        "the lossless subscriber after the dropping one"),
                () -> assertEquals(MESSAGES, d.offered(), "dropping offered"),
                () -> assertEquals(1, d.delivered(), "dropping delivered"),
                () -> assertEquals(MESSAGES - 1, d.dropped(DropCause.NEWEST), "dropping NEWEST"),
                () -> assertEquals(MESSAGES, l.offered(), "lossless offered"),
                () -> assertEquals(MESSAGES, l.delivered(), "lossless delivered"),
                () -> assertEquals(h.offered(), h.delivered() + h.dropped(), "hub offered == delivered + dropped"),
                () -> assertEquals(MESSAGES - 1, h.dropped(DropCause.NEWEST), "hub NEWEST"));
    }

    /**
     * Ring engine: a lossy reader that fell behind counts its skips when it reads, and the
     * listener throws there: the poll still returns the newest message, the cursor moves, and
     * the skip is counted once however often the consumer polls.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Failure.class)
    void listenerThrowingFromOnDrop_onTheRing_pollReturnsMovesTheCursorAndCountsTheSkipOnce(Failure failure) {
        Hub<Integer> hub = Hub.<Integer>builder().engine(Engine.ring(8)).listener(throwing(failure)).build();
        PullSubscription<Integer> lossy = hub.subscriber().overflow(Overflow.dropOldest()).capacity(1).subscribe();
        for (int m = 1; m <= MESSAGES; m++) {
            publish(hub, m);
        }

        List<Long> got = new ArrayList<>();
        List<Throwable> fromPoll = new ArrayList<>();
        for (int attempt = 0; attempt < 4; attempt++) { // a consumer that retries after a failed poll
            pollAll(lossy, got, fromPoll);
        }

        SubscriptionStats s = lossy.stats();
        HubStats h = hub.stats();
        assertAll(failure + ": " + s + ", hub " + h,
                () -> assertEquals(List.of(), fromPoll, "what poll threw"),
                () -> assertEquals(List.of((long) MESSAGES), got, "the newest message, once"),
                () -> assertEquals(MESSAGES, s.offered(), "offered"),
                () -> assertEquals(MESSAGES - 1, s.dropped(DropCause.OLDEST), "OLDEST, counted once"),
                () -> assertEquals(s.offered(), s.delivered() + s.dropped() + s.depth(),
                        "offered == delivered + dropped + depth"),
                () -> assertEquals(h.offered(), h.delivered() + h.dropped(), "hub offered == delivered + dropped"));
    }

    /** onSubscribe is called on the subscribing thread: what it throws does not reach subscribe either. */
    static Stream<Arguments> supportedPairs() {
        return EngineType.supportedPairs();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("supportedPairs")
    void listenerThrowingFromOnSubscribe_subscribeReturnsAnAttachedSubscription(EngineType engine, StrategyType type) {
        Failure failure = type.ordinal() % 2 == 0 ? Failure.ERROR : Failure.CHECKED_EXCEPTION;
        HubListener throwingOnSubscribe = new HubListener() {
            @Override
            public void onSubscribe(Subscription<?> subscription) {
                throw failure.raise();
            }
        };
        Hub<Integer> hub = engine.<Integer>hub().listener(throwingOnSubscribe).build();
        Overflow o = type.overflow(Duration.ofSeconds(10));
        Throwable fromSubscribe = null;
        Subscription<Integer> sub = null;
        try {
            sub = type.pushOnly() ? hub.subscribe(o, (seq, m) -> { }) : hub.subscribe(o);
        } catch (Throwable t) {
            fromSubscribe = t;
        }
        Throwable thrown = fromSubscribe;
        int attached = hub.subscriberCount();
        assertAll(failure + " from onSubscribe, " + engine + " " + type,
                () -> assertEquals(null, thrown, "what subscribe threw"),
                () -> assertEquals(1, attached, "attached"));
        assertTrue(publish(hub, 1).isEmpty(), "publish after the subscribe");
        hub.close();
        assertTrue(sub.closeReason().isPresent());
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Publishes one message; the only place that looks at what publish returns.
     *
     * @return what publish threw, if it did
     */
    private static Optional<Throwable> publish(Hub<Integer> hub, int m) {
        try {
            hub.publish(m);
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of(t);
        }
    }

    /** Polls until empty; a poll that throws ends the pass and is recorded. */
    private static void pollAll(PullSubscription<Integer> sub, List<Long> got, List<Throwable> thrown) {
        for (int i = 0; i < 100; i++) {
            Optional<Delivery<Integer>> d;
            try {
                d = sub.poll();
            } catch (Throwable t) {
                thrown.add(t);
                return;
            }
            if (d.isEmpty()) {
                return;
            }
            got.add(d.get().sequence());
        }
    }
}
