package dev.fanout.leaderboard;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.UUID;

/**
 * The test Redis on 127.0.0.1:6379: a unique key prefix per test run, and cleanup of it.
 */
final class TestRedis {
    static final String URI = "redis://127.0.0.1:6379";

    private TestRedis() {
    }

    /** @return a prefix no other run uses */
    static String uniquePrefix() {
        return "lbtest:" + UUID.randomUUID();
    }

    /** Deletes every key under {@code prefix}. */
    static void deleteAll(String prefix) {
        RedisClient client = RedisClient.create(URI);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    c.sync().del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }
}
