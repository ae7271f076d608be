package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.CloseReason;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream's epoch lives in Redis and changes when its history is lost; every instance moves
 * to the new one, and a position from the old one is a gap, never a replay.
 */
class EpochTest {
    private final String key = Redis.uniqueKey();
    private final List<RedisStreamHub<String>> hubs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        hubs.forEach(RedisStreamHub::close);
        Redis.delete(Redis.SHARED, key);
    }

    private RedisStreamHub<String> instance() {
        RedisStreamHub<String> h = RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                .overflow(Overflow.slowProducer(Duration.ofSeconds(10))).block(Duration.ofMillis(100)).build();
        hubs.add(h);
        return h;
    }

    @Test
    void instancesShareTheEpochKeptInRedis_andALaterInstanceKeepsIt() {
        RedisStreamHub<String> a = instance();
        Position p = a.publish("x");
        RedisStreamHub<String> b = instance();
        assertEquals(a.epoch(), b.epoch());
        assertEquals(Position.of(a.epoch(), 1), p);
        String[] stored = new String[1];
        Redis.run(Redis.SHARED, r -> stored[0] = r.hget(key + ":meta", "epoch"));
        assertEquals(a.epoch(), stored[0]);
    }

    @Test
    void deletedCounter_newEpochEverywhere_oldPositionIsAGap() throws Exception {
        epochChangeAfter(r -> r.del(key + ":meta"));
    }

    @Test
    void deletedStream_newEpochEverywhere_oldPositionIsAGap() throws Exception {
        epochChangeAfter(r -> r.del(key));
    }

    @Test
    void flushedRedisAsItWouldComeBackEmpty_newEpochEverywhere() throws Exception {
        epochChangeAfter(r -> r.del(key, key + ":meta"));
    }

    private void epochChangeAfter(java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> loss)
            throws Exception {
        RedisStreamHub<String> a = instance();
        RedisStreamHub<String> b = instance();
        PullSubscription<String> onB = b.subscriber().subscribe();
        for (int i = 1; i <= 5; i++) {
            a.publish("old" + i);
        }
        assertEquals(5, Redis.readUntil(onB, 5, Duration.ofSeconds(10)).size());
        String old = a.epoch();
        Position oldPosition = Position.of(old, 3);

        Redis.run(Redis.SHARED, loss);
        // the idle readers notice within their block time; a publish would too
        assertTrue(Redis.eventually(() -> !a.epoch().equals(old) && !b.epoch().equals(old), Duration.ofSeconds(10)),
                "instances did not move to a new epoch");
        assertEquals(a.epoch(), b.epoch());
        assertNotEquals(old, a.epoch());
        assertEquals(1, a.stats().epochChanges());
        assertEquals(1, b.stats().epochChanges());
        assertTrue(Redis.eventually(onB::isClosed, Duration.ofSeconds(5)), "the old epoch's subscription goes on");
        assertEquals(Optional.of(CloseReason.HUB_CLOSED), onB.closeReason());

        Position fresh = b.publish("new1");
        assertEquals(Position.of(a.epoch(), 1), fresh, "numbers start again in the new epoch");
        assertTrue(Redis.eventually(() -> a.position().equals(fresh), Duration.ofSeconds(10)));
        PullSubscription<String> resumed = a.subscriberAfter(oldPosition).subscribe();
        assertTrue(resumed.startGap(), "a position of the old epoch is a gap");
        var got = Redis.readUntil(resumed, 1, Duration.ofSeconds(5));
        assertEquals(List.of(1L), Redis.sequences(got));
        assertEquals("new1", got.get(0).message(), "the new epoch's message 1, never the old epoch's 4");
    }

    @Test
    void numbersGoingBackInOneEpoch_retireTheEpoch() throws Exception {
        RedisStreamHub<String> a = instance();
        for (int i = 1; i <= 5; i++) {
            a.publish("m" + i);
        }
        assertTrue(Redis.eventually(() -> a.position().sequence() == 5, Duration.ofSeconds(10)));
        String old = a.epoch();
        // as a restore from an older copy would leave it: same epoch, fewer entries
        Redis.run(Redis.SHARED, r -> {
            r.xtrim(key, 0);
            r.hset(key + ":meta", "seq", "2");
        });
        assertTrue(Redis.eventually(() -> !a.epoch().equals(old), Duration.ofSeconds(10)),
                "the instance kept an epoch whose numbers went back");
        Position p = a.publish("after");
        assertEquals(Position.of(a.epoch(), 1), p);
    }
}
