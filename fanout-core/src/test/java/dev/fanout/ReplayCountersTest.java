package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replayed messages are offered to the resuming subscription like live ones, and the hub's
 * counters include them, so docs/strategies.md's "per hub offered == delivered + dropped" holds
 * for a hub with history too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplayCountersTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void resumedSubscription_replayedAndLiveMessages_countInTheHubsOfferedAndDelivered(EngineType engine) {
        Hub<Integer> hub = Hub.<Integer>builder().engine(engine.isRing() ? Engine.ring(64) : Engine.queues())
                .history(History.last(16)).build();
        for (int m = 1; m <= 10; m++) {
            publish(hub, m);
        }
        PullSubscription<Integer> sub = hub.subscriber().resumeAfter(0).subscribe();
        int replayed = sub.drain((seq, m) -> { }, 100);
        publish(hub, 11);
        int live = sub.drain((seq, m) -> { }, 100);

        SubscriptionStats s = sub.stats();
        HubStats h = hub.stats();
        assertAll(engine + ": " + s + ", hub " + h,
                () -> assertEquals(10, replayed, "replayed"),
                () -> assertEquals(1, live, "live"),
                () -> assertEquals(11, s.offered(), "subscription offered"),
                () -> assertEquals(11, s.delivered(), "subscription delivered"),
                () -> assertEquals(11, h.offered(), "HubStats.offered"),
                () -> assertEquals(11, h.delivered(), "HubStats.delivered"),
                () -> assertEquals(h.offered(), h.delivered() + h.dropped(), "HubStats offered == delivered + dropped"));
    }

    /** Publishes one message; the only place that looks at what publish returns. */
    private static void publish(Hub<Integer> hub, int m) {
        assertTrue(hub.publishAndReport(m).isPublished(), "publish " + m);
    }
}
