package dev.fanout.leaderboard;

import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The API contract on the embedded store. */
class MemoryApiTest extends ApiContract {
    @TempDir
    java.nio.file.Path dir;

    @Override
    LeaderboardApp startApp(Map<String, String> extra) {
        return TestApps.memory(dir.resolve("journal"), extra);
    }
}
