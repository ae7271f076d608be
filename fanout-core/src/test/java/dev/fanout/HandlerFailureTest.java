package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.spi.HubListener;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * A push handler may throw anything, not only a {@link RuntimeException}: a checked exception
 * (thrown by Kotlin code, {@code @SneakyThrows} or a rethrowing proxy) or a
 * {@link VirtualMachineError} it raised itself. Each is treated like a runtime exception: the
 * message counts as delivered, {@link HubListener#onHandlerError} gets it, and delivery goes on
 * with the next message, so the subscription drains and the hub terminates.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandlerFailureTest {

    private static final int MESSAGES = 10;
    private static final int FAILING = 2;
    private static final Duration TERMINATION = Duration.ofSeconds(3);

    /** What the handler throws on message {@value #FAILING}. */
    enum Failure {
        CHECKED_EXCEPTION(() -> new IOException("checked, thrown by the handler")),
        STACK_OVERFLOW(() -> new StackOverflowError("thrown by the handler")),
        OUT_OF_MEMORY(() -> new OutOfMemoryError("thrown by the handler"));

        private final Supplier<Throwable> make;

        Failure(Supplier<Throwable> make) {
            this.make = make;
        }

        Throwable make() {
            return make.get();
        }
    }

    static Stream<Arguments> enginesAndFailures() {
        return Stream.of(EngineType.values())
                .flatMap(e -> Stream.of(Failure.values()).map(f -> Arguments.of(e, f)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("enginesAndFailures")
    void pushHandlerThrowingAnyThrowable_countsTheMessageDeliveredReportsItAndKeepsDelivering(
            EngineType engine, Failure failure) throws Exception {
        Recorder listener = new Recorder();
        // the ring holds all ten: a wedged subscriber must not also stall the publisher
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(64) : Engine.queues())
                .capacity(16).listener(listener).build();
        Throwable thrown = failure.make();
        List<Long> received = new CopyOnWriteArrayList<>();
        Subscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)), (seq, m) -> {
            received.add(seq);
            if (m == FAILING) {
                throw Bounded.sneakyThrow(thrown);
            }
        });

        publishAll(hub);
        hub.close();
        boolean terminated = hub.awaitTermination(TERMINATION);

        assertAll(failure + " on message " + FAILING + ": received " + received + ", " + sub.stats(),
                () -> assertTrue(terminated, "awaitTermination(" + TERMINATION + ") after hub close"),
                () -> assertEquals(LongStream.rangeClosed(1, MESSAGES).boxed().toList(), received,
                        "the handler received every message, in order"),
                () -> assertEquals(List.of((long) FAILING), listener.sequences(), "onHandlerError sequences"),
                () -> assertSame(thrown, listener.errors().isEmpty() ? null : listener.errors().get(0),
                        "onHandlerError got what the handler threw"),
                () -> assertEquals(MESSAGES, sub.stats().delivered(), "delivered, the failing message included"),
                () -> assertEquals(0, sub.stats().depth(), "depth"),
                () -> assertEquals(MESSAGES, hub.stats().delivered(), "hub delivered"));
    }

    /** elasticWorkers (queue engine only) keeps the same contract. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Failure.class)
    void elasticWorkersHandlerThrowingAnyThrowable_countsTheMessageDeliveredReportsItAndKeepsDelivering(
            Failure failure) throws Exception {
        Recorder listener = new Recorder();
        Hub<Integer> hub = Hub.<Integer>builder().capacity(16).listener(listener).build();
        Throwable thrown = failure.make();
        List<Long> received = new CopyOnWriteArrayList<>();
        Subscription<Integer> sub = hub.subscribe(
                Overflow.elasticWorkers(1, 4, 2, Duration.ofSeconds(1)).withMaxWait(Duration.ofSeconds(10)),
                (seq, m) -> {
                    received.add(seq);
                    if (m == FAILING) {
                        throw Bounded.sneakyThrow(thrown);
                    }
                });

        publishAll(hub);
        hub.close();
        boolean terminated = hub.awaitTermination(TERMINATION);

        assertAll(failure + " on message " + FAILING + ": received " + received + ", " + sub.stats(),
                () -> assertTrue(terminated, "awaitTermination(" + TERMINATION + ") after hub close"),
                () -> assertEquals(LongStream.rangeClosed(1, MESSAGES).boxed().toList(),
                        received.stream().sorted().toList(), "the handler received every message once"),
                () -> assertEquals(List.of((long) FAILING), listener.sequences(), "onHandlerError sequences"),
                () -> assertSame(thrown, listener.errors().isEmpty() ? null : listener.errors().get(0),
                        "onHandlerError got what the handler threw"),
                () -> assertEquals(MESSAGES, sub.stats().delivered(), "delivered, the failing message included"),
                () -> assertEquals(MESSAGES, hub.stats().delivered(), "hub delivered"));
    }

    // ------------------------------------------------------------------ helpers

    /** Publishes 1..{@value #MESSAGES}; the only place that looks at what publish returns. */
    private static void publishAll(Hub<Integer> hub) {
        for (int m = 1; m <= MESSAGES; m++) {
            assertTrue(hub.publishAndReport(m).isPublished(), "publish " + m);
        }
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
