package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisStreamHub#publishIfNewer}: whole states at versions of a source, published by
 * instances that race, never go back in the stream; a state of another series of the source is
 * refused, and a new series starts a new epoch.
 */
class PublishIfNewerTest {
    private final String key = Redis.uniqueKey();
    private final String guard = key + ":series";

    @AfterEach
    void cleanUp() {
        Redis.delete(Redis.SHARED, key);
        Redis.run(Redis.SHARED, r -> r.del(guard));
    }

    private RedisStreamHub<String> hub() {
        return RedisStreamHub.builder(Redis.SHARED, key, StreamCodec.strings())
                .block(Duration.ofMillis(100)).build();
    }

    @Test
    void onlyAGreaterVersionIsAppended() {
        Redis.run(Redis.SHARED, r -> r.set(guard, "s1"));
        try (RedisStreamHub<String> h = hub()) {
            Optional<Position> first = h.publishIfNewer("v5", 5, guard, "s1");
            assertTrue(first.isPresent());
            assertEquals(1, first.get().sequence());
            assertEquals(Optional.empty(), h.publishIfNewer("v5 again", 5, guard, "s1"), "an equal version");
            assertEquals(Optional.empty(), h.publishIfNewer("v4", 4, guard, "s1"), "an older version");
            Optional<Position> next = h.publishIfNewer("v7", 7, guard, "s1");
            assertEquals(Optional.of(Position.of(first.get().epoch(), 2)), next);
            assertEquals(Optional.empty(), h.publishIfNewer("v6", 6, guard, "s1"));
            assertEquals(2, h.stats().published(), "only what was appended counts");
        }
    }

    @Test
    void aSeriesTheGuardKeyDoesNotHold_isRefused() {
        try (RedisStreamHub<String> h = hub()) {
            assertEquals(Optional.empty(), h.publishIfNewer("v1", 1, guard, "s1"), "the guard key is missing");
            Redis.run(Redis.SHARED, r -> r.set(guard, "s2"));
            assertEquals(Optional.empty(), h.publishIfNewer("v9", 9, guard, "s1"), "another series");
            assertTrue(h.publishIfNewer("v1", 1, guard, "s2").isPresent());
            List<String> entries = new ArrayList<>();
            Redis.run(Redis.SHARED, r -> r.xrange(key, io.lettuce.core.Range.create("-", "+"))
                    .forEach(m -> entries.add(m.getBody().get("m"))));
            assertEquals(List.of("v1"), entries);
        }
    }

    @Test
    void aNewSeries_startsANewEpoch_soItsLowerVersionsAreNotTakenForOlderOnes() throws Exception {
        Redis.run(Redis.SHARED, r -> r.set(guard, "s1"));
        try (RedisStreamHub<String> h = hub()) {
            Position old = h.publishIfNewer("s1 v40", 40, guard, "s1").orElseThrow();
            assertTrue(Redis.eventually(() -> h.position().equals(old), Duration.ofSeconds(5)));
            Redis.run(Redis.SHARED, r -> r.set(guard, "s2")); // the source started over
            Position fresh = h.publishIfNewer("s2 v1", 1, guard, "s2").orElseThrow();
            assertNotEquals(old.epoch(), fresh.epoch());
            assertEquals(1, fresh.sequence());
            assertTrue(Redis.eventually(() -> h.position().equals(fresh), Duration.ofSeconds(5)),
                    "the reader moved to the new epoch: " + h.position());
            assertEquals("s2 v1", h.local().latest().orElseThrow().message());
            assertEquals(Optional.empty(), h.publishIfNewer("s1 v41", 41, guard, "s1"), "the old series is refused");
        }
    }

    /**
     * Four instances apply writes to a shared source and publish the state each read back,
     * after a random pause, as change feeds on several servers do: the stream's versions only
     * go up, and it ends with the last one. With {@code publish} instead, a slow instance's
     * older state lands after a newer one.
     */
    @Test
    void racingInstances_neverAppendAnOlderVersion() throws Exception {
        Redis.run(Redis.SHARED, r -> r.set(guard, "s1"));
        AtomicLong source = new AtomicLong();
        int instances = 4;
        int writes = 150;
        List<RedisStreamHub<String>> hubs = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                hubs.add(hub());
            }
            CountDownLatch done = new CountDownLatch(instances);
            List<Thread> threads = new ArrayList<>();
            for (RedisStreamHub<String> h : hubs) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int w = 0; w < writes; w++) {
                            long read = source.incrementAndGet(); // the write, and the state read after it
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(2)));
                            h.publishIfNewer("v" + read, read, guard, "s1");
                        }
                    } finally {
                        done.countDown();
                    }
                }));
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            for (Thread t : threads) {
                t.join();
            }
            List<Long> versions = new ArrayList<>();
            Redis.run(Redis.SHARED, r -> r.xrange(key, io.lettuce.core.Range.create("-", "+"))
                    .forEach(m -> versions.add(Long.parseLong(m.getBody().get("m").substring(1)))));
            assertFalse(versions.isEmpty());
            for (int i = 1; i < versions.size(); i++) {
                assertTrue(versions.get(i) > versions.get(i - 1), "went back at entry " + (i + 1) + ": "
                        + versions.subList(Math.max(0, i - 3), Math.min(versions.size(), i + 3)));
            }
            assertEquals((long) instances * writes, versions.getLast(), "the last state is in the stream");
        } finally {
            hubs.forEach(RedisStreamHub::close);
        }
    }
}
