package dev.fanout.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client sends a command again after a reconnect when its answer was lost; a publish run
 * twice under its once-key appends once and answers the same number both times.
 */
class PublishOnceTest {
    private final String key = Redis.uniqueKey();

    @AfterEach
    void cleanUp() {
        Redis.delete(Redis.SHARED, key);
    }

    @Test
    void thePublishScriptRunTwice_appendsOnce_andAnswersTheFirstNumber() {
        try (StreamStore store = new StreamStore(Redis.SHARED, key, 1000, Duration.ofSeconds(2), Duration.ofMillis(100))) {
            StreamStore.Head first = store.publish("a", "once1");
            StreamStore.Head again = store.publish("a", "once1");
            StreamStore.Head next = store.publish("b", "once2");
            assertEquals(first, again);
            assertEquals(first.sequence() + 1, next.sequence());
            assertEquals(2, store.range(1, 10).size(), "the second run appended nothing");
            long[] ttl = new long[1];
            Redis.run(Redis.SHARED, r -> ttl[0] = r.pttl(key + ":once:once1"));
            assertNotEquals(-1, ttl[0], "a once-key without a lifetime would stay forever");
        }
    }
}
