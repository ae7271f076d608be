package dev.fanout.leaderboard;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.UUID;

/**
 * The test Redis on 127.0.0.1, port {@code FANOUT_REDIS_PORT} (default 6379; {@code bin/run-tests}
 * starts one there when none answers): a unique key prefix per test run, and cleanup of it.
 */
final class TestRedis {
    /** The port of the test Redis on 127.0.0.1. */
    static final int PORT = port(System.getenv("FANOUT_REDIS_PORT"));
    static final String URI = "redis://127.0.0.1:" + PORT;

    private static int port(String env) {
        if (env == null || env.isBlank()) {
            return 6379;
        }
        try {
            int p = Integer.parseInt(env.strip());
            if (p > 0 && p < 65536) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("FANOUT_REDIS_PORT: " + env + " (expected: a port from 1 to 65535)");
    }

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
