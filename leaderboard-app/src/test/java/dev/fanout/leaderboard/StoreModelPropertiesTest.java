package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Random game sequences applied to each store give exactly the leaderboard of
 * {@link ReferenceModel}: same order (ties included), ranks, scores, versions and duplicates.
 */
class StoreModelPropertiesTest {

    /**
     * Few players so ties are common; ids whose UTF-16 and UTF-8 orders differ (U+E000 against
     * an emoji) so the byte order that Redis uses is checked too.
     */
    private static final List<String> PLAYERS = List.of("a", "b", "c", "B", "ab", "é", "\uE000x", "😀", "z9");

    private static String prefix;
    private static RedisStore redis;

    @BeforeContainer
    static void connect() {
        prefix = TestRedis.uniquePrefix();
        redis = RedisStore.connect(TestRedis.URI, prefix, Duration.ofSeconds(2));
    }

    @AfterContainer
    static void disconnect() {
        redis.close();
        TestRedis.deleteAll(prefix);
    }

    @BeforeTry
    void cleanRedis() {
        TestRedis.deleteAll(prefix);
    }

    @Provide
    Arbitrary<List<Game>> games() {
        Arbitrary<Game> game = Combinators.combine(
                Arbitraries.integers().between(0, 40).map(i -> "g" + i), // repeats happen: duplicates
                Arbitraries.of(PLAYERS),
                Arbitraries.of(PLAYERS),
                Arbitraries.integers().between(0, 2)
        ).filter((id, p1, p2, r) -> !p1.equals(p2))
                .as((id, p1, p2, r) -> new Game(id, "server", p1, p2, Game.Result.of(r)));
        return game.list().ofMaxSize(60);
    }

    @Property(tries = 80)
    void embeddedStore_matchesModel_andReplaysToTheSameState(@ForAll("games") List<Game> games) throws IOException {
        Path dir = Files.createTempDirectory("lb-prop");
        Path journal = dir.resolve("journal");
        try {
            ReferenceModel model = new ReferenceModel();
            try (EmbeddedStore store = EmbeddedStore.open(journal)) {
                applyAndCompare(store, model, games);
            }
            try (EmbeddedStore reopened = EmbeddedStore.open(journal)) {
                compare(reopened, model);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Property(tries = 40)
    void redisStore_matchesModel(@ForAll("games") List<Game> games) {
        applyAndCompare(redis, new ReferenceModel(), games);
    }

    private static void applyAndCompare(LeaderboardStore store, ReferenceModel model, List<Game> games) {
        for (Game g : games) {
            assertEquals(model.apply(g), store.apply(g), () -> "apply " + g);
        }
        compare(store, model);
    }

    private static void compare(LeaderboardStore store, ReferenceModel model) {
        Board board = store.top(1000);
        assertEquals(model.top(1000), board.standings());
        assertEquals(model.version(), board.version());
        assertEquals(model.version(), store.version());
        assertEquals(model.top(3), store.top(3).standings());
        for (Standing s : model.top(1000)) {
            assertEquals(Optional.of(s), store.standing(s.player()), () -> "standing of " + s.player());
        }
        assertEquals(Optional.empty(), store.standing("nobody"));
    }
}
