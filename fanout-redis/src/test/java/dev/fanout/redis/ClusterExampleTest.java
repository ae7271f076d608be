package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fanout.History;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterExampleTest {

    @Test
    void example_printsWhatTheJavadocSays() {
        String key = Redis.uniqueKey();
        try {
            assertEquals("""
                    published 1 in epoch shared
                    east 1 ACME 101.5
                    west 2 ACME 101.7
                    """, ClusterExample.run(key));
        } finally {
            Redis.delete(Redis.SHARED, key);
        }
    }

    @Test
    void builder_refusesWhatItCannotHonour() {
        var b = RedisStreamHub.builder(Redis.SHARED, "k", StreamCodec.strings());
        assertEquals("maxLength: 0 (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> b.maxLength(0)).getMessage());
        assertEquals("history: History[none] (expected: some: a resume starts from it)",
                assertThrows(IllegalArgumentException.class, () -> b.history(History.none())).getMessage());
        assertEquals("block: PT0S (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> b.block(Duration.ZERO)).getMessage());
        b.readBatch(10);
        assertEquals("readBatch was already set",
                assertThrows(IllegalStateException.class, () -> b.readBatch(20)).getMessage());
        assertEquals("key: \" \" (expected: not blank)", assertThrows(IllegalArgumentException.class,
                () -> RedisStreamHub.builder(Redis.SHARED, " ", StreamCodec.strings())).getMessage());
    }

    @Test
    void unreachableRedisAtBuild_failsWithNothingApplied() {
        RedisURI nowhere = RedisURI.create("redis://127.0.0.1:1");
        RedisStreamException e = assertThrows(RedisStreamException.class,
                () -> RedisStreamHub.builder(nowhere, Redis.uniqueKey(), StreamCodec.strings())
                        .timeout(Duration.ofMillis(500)).build());
        assertEquals(RedisStreamException.Outcome.NOT_APPLIED, e.outcome());
    }
}
