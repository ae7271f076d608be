package dev.fanout.leaderboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The API contract on the test Redis ({@link TestRedis}), a fresh key prefix per test. */
class RedisApiTest extends ApiContract {
    private final List<String> prefixes = new ArrayList<>();

    @Override
    LeaderboardApp startApp(Map<String, String> extra) {
        String prefix = TestRedis.uniquePrefix();
        prefixes.add(prefix);
        return TestApps.redis(prefix, extra);
    }

    @AfterEach
    void cleanUp() {
        prefixes.forEach(TestRedis::deleteAll);
    }
}
