package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests of {@link MainProcessTest} on the runnable jar, {@code java -jar target/leaderboard.jar}:
 * the shaded jar must find Helidon's services and metadata, serve the stream, and stop as the
 * class path does. Run by failsafe after {@code package} ({@code mvn -pl leaderboard-app verify}),
 * which passes the jar's path as {@code leaderboard.jar}.
 */
class LeaderboardJarIT extends MainProcessTest {

    @Override
    List<String> command(List<String> args) {
        Path jar = Path.of(System.getProperty("leaderboard.jar", "target/leaderboard.jar"));
        assertTrue(Files.isRegularFile(jar), jar.toAbsolutePath() + ": build it first (mvn -pl leaderboard-app -am package)");
        List<String> cmd = new ArrayList<>(List.of(java(), CHILD_JVM[0], CHILD_JVM[1], "-jar", jar.toAbsolutePath().toString()));
        cmd.addAll(args);
        return cmd;
    }
}
