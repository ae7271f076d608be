package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Subscription#close()} of a push subscription discards what it still holds, on both
 * engines, as its Javadoc says: a handler busy with one message when the close comes receives
 * nothing after it, and the rest counts as {@link DropCause#CLOSED}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PushCloseDiscardTest {

    private static final int MESSAGES = 100;

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void closeWhileTheHandlerIsBusy_discardsTheQueuedMessages_countingThemClosed(EngineType engine) throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(256) : Engine.queues())
                .capacity(128).build();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> received = new CopyOnWriteArrayList<>();
        Subscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)), (seq, m) -> {
            received.add(seq);
            entered.countDown();
            if (seq == 1) {
                awaitQuietly(release);
            }
        });
        publish(hub, 1);
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the handler got message 1");
        for (int m = 2; m <= MESSAGES; m++) {
            publish(hub, m);
        }
        // the queue engine took message 1 out of the queue; the ring's cursor moves past a batch
        // when the batch ends, so it still counts the message being handled
        assertEquals(engine.isRing() ? MESSAGES : MESSAGES - 1, sub.stats().depth(), "queued behind the busy handler");

        sub.close();
        release.countDown();
        hub.close();
        boolean terminated = hub.awaitTermination(Duration.ofSeconds(10));

        SubscriptionStats s = sub.stats();
        assertAll(engine + ": received " + received.size() + ", " + s,
                () -> assertTrue(terminated, "awaitTermination"),
                () -> assertEquals(List.of(1L), received, "the handler received only the message it was busy with"),
                () -> assertEquals(Optional.of(CloseReason.CLOSED), sub.closeReason(), "closeReason"),
                () -> assertEquals(MESSAGES, s.offered(), "offered"),
                () -> assertEquals(1, s.delivered(), "delivered"),
                () -> assertEquals(MESSAGES - 1, s.dropped(DropCause.CLOSED), "CLOSED"),
                () -> assertEquals(MESSAGES - 1, s.dropped(), "all drops"),
                () -> assertEquals(0, s.depth(), "depth"),
                () -> assertEquals(MESSAGES - 1, hub.stats().closed(), "HubStats.closed"));
    }

    /** Publishes one message; the only place that looks at what publish returns. */
    private static void publish(Hub<Integer> hub, int m) {
        assertTrue(hub.publishAndReport(m).isPublished(), "publish " + m);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
