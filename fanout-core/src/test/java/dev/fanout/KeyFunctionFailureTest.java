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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code latestPerKey} runs user code on the publishing thread: the key function, and the key's
 * {@code hashCode} and {@code equals}. Whatever that code throws, {@code publish} does not: the
 * message is kept under a key of its own, the error goes to {@link HubListener#onHandlerError},
 * and the subscribers after it in the hub's list get the message as if nothing happened.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyFunctionFailureTest {

    private static final int MESSAGES = 3;

    /** How the user's key code fails, for every message. */
    enum BadKey {
        /** The key function returns a key whose hashCode throws a runtime exception. */
        HASH_CODE_THROWS_RUNTIME_EXCEPTION,
        /** The key function returns a key whose hashCode throws an Error. */
        HASH_CODE_THROWS_ERROR,
        /** The key function itself throws an Error. */
        KEY_FUNCTION_THROWS_ERROR,
        /** The key function itself throws a checked exception (sneakily). */
        KEY_FUNCTION_THROWS_CHECKED_EXCEPTION;

        Function<Integer, Object> keyFunction(List<Throwable> thrown) {
            return m -> switch (this) {
                case HASH_CODE_THROWS_RUNTIME_EXCEPTION ->
                        new Key(m, thrown, () -> new IllegalStateException("hashCode of key " + m));
                case HASH_CODE_THROWS_ERROR -> new Key(m, thrown, () -> new AssertionError("hashCode of key " + m));
                case KEY_FUNCTION_THROWS_ERROR -> throw record(thrown, new AssertionError("key function on " + m));
                case KEY_FUNCTION_THROWS_CHECKED_EXCEPTION ->
                        throw Bounded.sneakyThrow(record(thrown, new IOException("key function on " + m)));
            };
        }
    }

    /** A key whose hashCode throws what {@code failure} makes, and records it. */
    private record Key(int m, List<Throwable> thrown, java.util.function.Supplier<Throwable> failure) {
        @Override
        public int hashCode() {
            throw Bounded.sneakyThrow(record(thrown, failure.get()));
        }

        @Override
        public boolean equals(Object o) {
            return o == this;
        }
    }

    private static <X extends Throwable> X record(List<Throwable> thrown, X t) {
        thrown.add(t);
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BadKey.class)
    void latestPerKeyWithFailingKeyCode_publishDoesNotThrow_messageKeptUnderAKeyOfItsOwn_laterSubscriberGetsAll(
            BadKey bad) {
        Recorder listener = new Recorder();
        Hub<Integer> hub = Hub.<Integer>builder().capacity(8).listener(listener).build();
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        PullSubscription<Integer> perKey = hub.subscribe(Overflow.latestPerKey(bad.keyFunction(thrown)));
        PullSubscription<Integer> lossless = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)));

        List<Throwable> fromPublish = new ArrayList<>();
        for (int m = 1; m <= MESSAGES; m++) {
            publish(hub, m).ifPresent(fromPublish::add);
        }

        List<Long> all = LongStream.rangeClosed(1, MESSAGES).boxed().toList();
        List<Long> keptPerKey = pollSequences(perKey);
        List<Long> keptLossless = pollSequences(lossless);
        SubscriptionStats k = perKey.stats();
        SubscriptionStats l = lossless.stats();
        HubStats h = hub.stats();
        assertAll(bad + ": per-key " + k + ", lossless " + l + ", hub " + h,
                () -> assertEquals(List.of(), fromPublish, "what publish threw"),
                () -> assertEquals(all, keptPerKey, "the latestPerKey subscriber keeps each message under a key of its own"),
                () -> assertEquals(all, keptLossless, "the lossless subscriber after it gets every message"),
                () -> assertEquals(all, listener.sequences(), "onHandlerError, once per failing message"),
                () -> assertTrue(thrown.containsAll(listener.errors()),
                        () -> "onHandlerError gets what the key code threw: " + listener.errors() + " vs " + thrown),
                () -> assertEquals(MESSAGES, k.offered(), "per-key offered"),
                () -> assertEquals(k.offered(), k.delivered() + k.dropped(), "per-key offered == delivered + dropped"),
                () -> assertEquals(MESSAGES, l.offered(), "lossless offered"),
                () -> assertEquals(l.offered(), l.delivered() + l.dropped(), "lossless offered == delivered + dropped"),
                () -> assertEquals(h.offered(), h.delivered() + h.dropped(), "hub offered == delivered + dropped"),
                () -> assertEquals(2L * MESSAGES, h.offered(), "hub offered"));
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

    private static List<Long> pollSequences(PullSubscription<Integer> sub) {
        List<Long> out = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = sub.poll(); d.isPresent(); d = sub.poll()) {
            out.add(d.get().sequence());
        }
        return out;
    }

    /** Records onHandlerError calls; thread-safe. */
    private static final class Recorder implements HubListener {
        private final List<Long> sequences = new CopyOnWriteArrayList<>();
        private final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
            sequences.add(sequence);
            errors.add(error);
        }

        List<Long> sequences() {
            return List.copyOf(sequences);
        }

        List<Throwable> errors() {
            return List.copyOf(errors);
        }
    }
}
