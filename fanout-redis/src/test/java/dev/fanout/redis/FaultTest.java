package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults on a Redis the test owns: killed (publishes fail, local streams keep serving, and a
 * Redis that comes back empty is a new epoch) and paused (every instance catches up from its
 * last entry with no duplicate and no gap).
 */
class FaultTest {
    private final String key = "fanout-fault";
    private final List<RedisStreamHub<String>> hubs = new ArrayList<>();
    private Redis.Server server;

    @BeforeEach
    void startRedis() throws Exception {
        server = new Redis.Server();
    }

    @AfterEach
    void stopRedis() throws Exception {
        hubs.forEach(RedisStreamHub::close);
        server.close();
    }

    private RedisStreamHub<String> instance() {
        RedisStreamHub<String> h = RedisStreamHub.builder(server.uri(), key, StreamCodec.strings())
                .history(History.last(64)).overflow(Overflow.slowProducer(Duration.ofSeconds(10)))
                .timeout(Duration.ofSeconds(2)).block(Duration.ofMillis(200)).build();
        hubs.add(h);
        return h;
    }

    @Test
    void killed_publishFails_localKeepsServing_restartedEmpty_newEpoch() throws Exception {
        RedisStreamHub<String> a = instance();
        RedisStreamHub<String> b = instance();
        for (int i = 1; i <= 10; i++) {
            a.publish("m" + i);
        }
        assertTrue(Redis.eventually(() -> b.position().sequence() == 10, Duration.ofSeconds(10)));
        String old = b.epoch();

        server.kill();
        RedisStreamException down = assertThrows(RedisStreamException.class, () -> a.publish("lost?"));
        assertNotEquals(null, down.outcome());
        // a retry once the disconnect is known: refused before sending, so surely not in the stream
        assertTrue(Redis.eventually(() -> {
            try {
                a.publish("never");
                return false;
            } catch (RedisStreamException e) {
                return e.outcome() == RedisStreamException.Outcome.NOT_APPLIED;
            }
        }, Duration.ofSeconds(5)));
        assertTrue(a.stats().publishFailures() >= 2);

        // the local hubs keep serving what they hold, with Redis gone
        PullSubscription<String> local = b.subscriberAfter(Position.of(old, 6)).subscribe();
        assertFalse(local.startGap());
        assertEquals(List.of(7L, 8L, 9L, 10L), Redis.sequences(Redis.readUntil(local, 10, Duration.ofSeconds(5))));
        assertTrue(Redis.eventually(() -> b.stats().readErrors() > 0, Duration.ofSeconds(5)));

        server.start(); // empty: --save '' --appendonly no
        assertTrue(Redis.eventually(() -> !a.epoch().equals(old) && !b.epoch().equals(old), Duration.ofSeconds(15)),
                "instances did not move to a new epoch after Redis came back empty");
        assertEquals(a.epoch(), b.epoch());
        assertTrue(local.isClosed() || Redis.eventually(local::isClosed, Duration.ofSeconds(5)));
        Position p = b.publish("again");
        assertEquals(Position.of(b.epoch(), 1), p);
        PullSubscription<String> stale = a.subscriberAfter(Position.of(old, 10)).subscribe();
        assertTrue(stale.startGap(), "the old epoch's position 10 is a gap in the new one");
        List<Delivery<String>> got = Redis.readUntil(stale, 1, Duration.ofSeconds(10));
        assertEquals("again", got.get(got.size() - 1).message());
        // a reader whose blocked XREAD the client sent again after the reconnect saw no error at all
        assertTrue(a.stats().epochChanges() == 1 && b.stats().epochChanges() == 1);
    }

    @Test
    void paused_everyInstanceCatchesUpWithNoDuplicateAndNoGap() throws Exception {
        RedisStreamHub<String> a = instance();
        RedisStreamHub<String> b = instance();
        PullSubscription<String> onA = a.subscriber().subscribe();
        PullSubscription<String> onB = b.subscriber().subscribe();
        for (int i = 1; i <= 20; i++) {
            a.publish("m" + i);
        }
        server.pause();
        // sent, no answer within the timeout: it may be applied when Redis wakes up
        RedisStreamException unknown = assertThrows(RedisStreamException.class, () -> b.publish("maybe"));
        assertEquals(RedisStreamException.Outcome.UNKNOWN, unknown.outcome());
        assertTrue(Redis.eventually(() -> a.stats().readErrors() > 0 && b.stats().readErrors() > 0,
                Duration.ofSeconds(10)), "the readers did not notice the pause");
        server.resume();
        CompletableFuture<Void> more = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= 20; i++) {
                a.publish("after" + i);
            }
        });
        more.get();
        long last = 41; // 20, the one whose outcome was unknown (sent before the pause: applied after it), 20
        for (PullSubscription<String> s : List.of(onA, onB)) {
            List<Delivery<String>> got = Redis.readUntil(s, last, Duration.ofSeconds(15));
            assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), Redis.sequences(got));
            assertEquals("maybe", got.get(20).message());
        }
        for (RedisStreamHub<String> h : hubs) {
            // the reader counts an entry after handing it over: the subscriber may be first
            assertTrue(Redis.eventually(() -> h.stats().read() == last, Duration.ofSeconds(5)), h.stats().toString());
            RedisStreamStats st = h.stats();
            assertTrue(st.recoveries() >= 1, st.toString());
            assertEquals(0, st.missed(), st.toString());
            assertEquals(0, st.epochChanges(), st.toString());
        }
    }

    @Test
    void entriesTrimmedWhileAnInstanceCouldNotRead_areSkippedAndCountedAsMissed() throws Exception {
        RedisStreamHub<String> a = instance();
        RedisStreamHub<String> b = RedisStreamHub.builder(server.uri(), key, StreamCodec.strings())
                .maxLength(10).history(History.last(64)).timeout(Duration.ofSeconds(2)).block(Duration.ofMillis(200))
                .build();
        hubs.add(b);
        PullSubscription<String> watcher = b.subscriber().overflow(Overflow.dropOldest()).capacity(4096).subscribe();
        // a lossless subscriber that takes nothing holds b's reader at its first message
        PullSubscription<String> stuck = b.subscriber().overflow(Overflow.slowProducer(Duration.ofSeconds(60)))
                .capacity(1).subscribe();
        for (int i = 1; i <= 1000; i++) {
            b.publish("m" + i); // MAXLEN ~ 10: Redis trims whole nodes of about 100 entries
        }
        assertTrue(Redis.eventually(() -> a.position().sequence() == 1000, Duration.ofSeconds(10)));
        stuck.close(); // b's reader goes on, from where it stood: most of those entries are gone
        List<Delivery<String>> got = Redis.readUntil(watcher, 1000, Duration.ofSeconds(10));
        assertEquals(1000L, got.get(got.size() - 1).sequence());
        long jumps = 0;
        for (int k = 1; k < got.size(); k++) {
            long step = got.get(k).sequence() - got.get(k - 1).sequence();
            assertTrue(step >= 1, "never back, never twice");
            jumps += step - 1;
        }
        long missedByWatcher = got.get(0).sequence() - 1 + jumps;
        assertTrue(missedByWatcher > 0, "nothing was trimmed: the test lost its point");
        assertEquals(missedByWatcher, b.stats().missed(), b.stats().toString());
        assertTrue(b.stats().missed() > a.stats().missed(), "the reader held back missed more: " + a.stats());
    }
}
