package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.spi.HubListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Hub#close()} called from a callback that runs inside {@code publish} on the
 * publishing thread of a single-publisher hub returns, and the hub ends: close must not wait for
 * the very publish it is called from.
 *
 * <p>The publishes run on a daemon thread joined with a time limit, so that a self-deadlock
 * fails the test (with the stuck thread's stack) instead of hanging the build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseFromCallbackTest {

    private static final Duration LIMIT = Duration.ofSeconds(5);
    private static final int MESSAGES = 20;

    /**
     * A listener's onClose(SLOW), called on the publishing thread when the publish finds a
     * {@code disconnect} subscriber full (on the ring: in the publish that sweeps it, once per
     * lap), closes the hub.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void listenerClosingTheHubFromOnCloseSlow_insidePublish_returnsAndTheHubEnds(EngineType engine) throws Exception {
        List<CloseReason> closes = new CopyOnWriteArrayList<>();
        Hub<?>[] self = new Hub<?>[1];
        HubListener closer = new HubListener() {
            @Override
            public void onClose(Subscription<?> subscription, CloseReason reason) {
                closes.add(reason);
                if (reason == CloseReason.SLOW) {
                    self[0].close();
                }
            }
        };
        Hub<Integer> hub = engine.<Integer>hub().singlePublisher().capacity(4).listener(closer).build();
        self[0] = hub;
        PullSubscription<Integer> slow = hub.subscribe(Overflow.disconnect());

        Bounded.Outcome publishing = Bounded.run("test-publisher", LIMIT, () -> publishAll(hub));

        assertTrue(publishing.finished(), publishing.describe("publish, with close() called from onClose(SLOW)"));
        assertNull(publishing.thrown(), publishing.describe("publish"));
        assertAll("after the publishes: " + slow.stats(),
                () -> assertTrue(hub.isClosed(), "hub closed"),
                () -> assertEquals(Optional.of(CloseReason.SLOW), slow.closeReason(), "closeReason"),
                () -> assertEquals(List.of(CloseReason.SLOW), closes, "onClose"),
                () -> assertTrue(hub.awaitTermination(LIMIT), "awaitTermination"));
    }

    /**
     * A push handler on an inline executor runs on the publishing thread, inside publish; it
     * closes the hub on the first message.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void pushHandlerOnAnInlineExecutorClosingTheHub_insidePublish_returnsAndTheHubEnds(EngineType engine)
            throws Exception {
        Hub<Integer> hub = engine.<Integer>hub().singlePublisher().capacity(4).build();
        List<Long> received = new CopyOnWriteArrayList<>();
        Executor inline = Runnable::run;
        Subscription<Integer> sub = hub.subscriber().overflow(Overflow.dropOldest()).executor(inline)
                .subscribe((seq, m) -> {
                    received.add(seq);
                    hub.close();
                });

        Bounded.Outcome publishing = Bounded.run("test-publisher", LIMIT, () -> publishAll(hub));

        assertTrue(publishing.finished(), publishing.describe("publish, with close() called from an inline handler"));
        assertNull(publishing.thrown(), publishing.describe("publish"));
        assertAll("after the publishes: " + sub.stats(),
                () -> assertTrue(hub.isClosed(), "hub closed"),
                () -> assertEquals(List.of(1L), received, "the handler got the first message, then the hub closed"),
                () -> assertEquals(Optional.of(CloseReason.HUB_CLOSED), sub.closeReason(), "closeReason"),
                () -> assertTrue(hub.awaitTermination(LIMIT), "awaitTermination"),
                () -> assertTrue(sub.isClosed(), "subscription ended"));
    }

    /** Publishes until the hub refuses; the only place that looks at what publish returns. */
    private static void publishAll(Hub<Integer> hub) {
        for (int m = 1; m <= MESSAGES; m++) {
            if (!hub.publishAndReport(m).isPublished()) {
                return;
            }
        }
    }
}
