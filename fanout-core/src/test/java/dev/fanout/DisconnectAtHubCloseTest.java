package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@code disconnect} subscriber that has not read when its hub closes ends the same way on
 * both engines. One that overflowed was disconnected by the publish that overflowed it (on the
 * ring that is counted when it is found, but as of that publish: the messages after it were
 * never offered to it); one that did not overflow drains what it holds after the close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DisconnectAtHubCloseTest {

    private static final int MESSAGES = 10;

    /** A ring much larger than the subscriber's capacity: the ring never laps it, only its capacity is exceeded. */
    private static Hub<Integer> hub(EngineType engine) {
        return Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(1024) : Engine.queues()).build();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void laggingDisconnectSubscriber_atHubClose_endsSlowAsOfThePublishThatOverflowedIt(EngineType engine) {
        Hub<Integer> hub = hub(engine);
        PullSubscription<Integer> sub = hub.subscriber().overflow(Overflow.disconnect()).capacity(4).subscribe();
        publishAll(hub);

        hub.close();
        List<Long> got = pollAll(sub);

        SubscriptionStats s = sub.stats();
        HubStats h = hub.stats();
        assertAll(engine + ": " + s + ", hub " + h,
                () -> assertEquals(List.of(), got, "delivered after the close"),
                () -> assertEquals(Optional.of(CloseReason.SLOW), sub.closeReason(), "closeReason"),
                () -> assertTrue(sub.isClosed(), "ended"),
                () -> assertEquals(0, s.delivered(), "delivered"),
                () -> assertEquals(5, s.offered(), "offered: 4 held and the 5th that overflowed it"),
                () -> assertEquals(5, s.dropped(DropCause.DISCONNECTED), "DISCONNECTED"),
                () -> assertEquals(5, s.dropped(), "all drops"),
                () -> assertEquals(0, s.depth(), "depth"),
                () -> assertEquals(1, h.disconnects(), "HubStats.disconnects"),
                () -> assertEquals(5, h.offered(), "HubStats.offered"),
                () -> assertEquals(5, h.disconnected(), "HubStats.disconnected"),
                () -> assertEquals(0, h.closed(), "HubStats.closed"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void disconnectSubscriberWithRoom_atHubClose_drainsEverythingAndEndsHubClosed(EngineType engine) {
        Hub<Integer> hub = hub(engine);
        PullSubscription<Integer> sub = hub.subscriber().overflow(Overflow.disconnect()).capacity(16).subscribe();
        publishAll(hub);

        hub.close();
        List<Long> got = pollAll(sub);

        SubscriptionStats s = sub.stats();
        HubStats h = hub.stats();
        assertAll(engine + ": " + s + ", hub " + h,
                () -> assertEquals(LongStream.rangeClosed(1, MESSAGES).boxed().toList(), got, "delivered after the close"),
                () -> assertEquals(Optional.of(CloseReason.HUB_CLOSED), sub.closeReason(), "closeReason"),
                () -> assertTrue(sub.isClosed(), "ended"),
                () -> assertEquals(MESSAGES, s.offered(), "offered"),
                () -> assertEquals(MESSAGES, s.delivered(), "delivered"),
                () -> assertEquals(0, s.dropped(), "drops"),
                () -> assertEquals(0, h.disconnects(), "HubStats.disconnects"));
    }

    // ------------------------------------------------------------------ helpers

    /** Publishes 1..{@value #MESSAGES}; the only place that looks at what publish returns. */
    private static void publishAll(Hub<Integer> hub) {
        for (int m = 1; m <= MESSAGES; m++) {
            assertTrue(hub.publishAndReport(m).isPublished(), "publish " + m);
        }
    }

    private static List<Long> pollAll(PullSubscription<Integer> sub) {
        List<Long> out = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = sub.poll(); d.isPresent(); d = sub.poll()) {
            out.add(d.get().sequence());
        }
        return out;
    }
}
