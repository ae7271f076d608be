package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, the environment and the config file: the same keys, flag > env > file > defaults. */
class OptionsTest {

    @TempDir
    Path dir;

    @Test
    void parse_takesKeyEqualsValueAndKeySpaceValue() {
        Options.CommandLine line = Options.parse("--server.port=9090", "--leaderboard.store", "redis://127.0.0.1:6379",
                "--config", "x.yaml");
        assertEquals(Map.of("server.port", "9090", "leaderboard.store", "redis://127.0.0.1:6379"), line.flags());
        assertEquals(Optional.of(Path.of("x.yaml")), line.config());
        assertFalse(line.help());
    }

    @Test
    void parse_bareBooleanMeansTrue_anyOtherKeyNeedsAValue() {
        assertEquals(Map.of("leaderboard.journal-repair", "true", "server.port", "1"),
                Options.parse("--leaderboard.journal-repair", "--server.port=1").flags());
        assertEquals(Map.of("leaderboard.journal-repair", "false"),
                Options.parse("--leaderboard.journal-repair", "false").flags());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.parse("--leaderboard.topk"));
        assertEquals("--leaderboard.topk: no value (expected: --leaderboard.topk=N)", e.getMessage());
    }

    @Test
    void parse_refusesUnknownOptionsAndRepeats() {
        assertEquals("--leaderboard.topK: unknown option (see --help)",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--leaderboard.topK=3")).getMessage());
        assertEquals("--port: unknown option (see --help)",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--port", "1")).getMessage());
        assertEquals("--server.port: given twice",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--server.port=1", "--server.port=2")).getMessage());
        assertTrue(Options.parse("-h").help());
        assertTrue(Options.parse("--server.port=1", "--help").help());
    }

    @Test
    void envName_isTheKeyInUpperCaseWithUnderscores() {
        Map<String, String> env = Options.KEYS.stream().collect(Collectors.toMap(Options.Key::key, Options.Key::env));
        assertEquals("SERVER_PORT", env.get("server.port"));
        assertEquals("SERVER_MAX_TCP_CONNECTIONS", env.get("server.max-tcp-connections"));
        assertEquals("LEADERBOARD_STALL_TIMEOUT", env.get("leaderboard.stall-timeout"));
        assertEquals("LEADERBOARD_LIMITS_BODY", env.get("leaderboard.limits.body"));
    }

    @Test
    void precedence_flagOverEnvOverFileOverDefault() throws Exception {
        Path file = Files.writeString(dir.resolve("leaderboard.yaml"), """
                leaderboard:
                  topk: 30
                  rate: 30
                  heartbeat: PT30S
                """);
        Map<String, String> env = Map.of("LEADERBOARD_TOPK", "20", "LEADERBOARD_RATE", "20");
        Config c = Options.config(Options.parse("--leaderboard.topk=10", "--config", file.toString()), env);
        LeaderboardConfig lc = LeaderboardConfig.from(c.get("leaderboard"));
        assertEquals(10, lc.topK(), "flag over env and file");
        assertEquals(20.0, lc.rate(), "env over file");
        assertEquals(Duration.ofSeconds(30), lc.heartbeat(), "file over default");
        assertEquals(Duration.ofSeconds(10), lc.stallTimeout(), "default: application.yaml");
        assertEquals(8080, c.get("server.port").asInt().get(), "default: application.yaml");
    }

    @Test
    void configFile_fromTheEnvironment_andAFlagNamesAnother() throws Exception {
        Path a = Files.writeString(dir.resolve("a.yaml"), "leaderboard:\n  topk: 3\n");
        Path b = Files.writeString(dir.resolve("b.properties"), "leaderboard.topk=4\n");
        Map<String, String> env = Map.of(Options.CONFIG_ENV, a.toString());
        assertEquals(3, Options.config(Options.parse(), env).get("leaderboard.topk").asInt().get());
        assertEquals(4, Options.config(Options.parse("--config=" + b), env).get("leaderboard.topk").asInt().get());
    }

    @Test
    void configFile_missing_isRefusedWithItsPath() {
        Path missing = dir.resolve("nope.yaml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.config(Options.parse("--config", missing.toString()), Map.of()));
        assertTrue(e.getMessage().startsWith("config: " + missing.toAbsolutePath()), e.getMessage());
    }

    @Test
    void envOfAHyphenatedKey_andOfAKeyBelowAnother_bothApply() {
        // LEADERBOARD_JOURNAL_REPAIR is also read by Helidon's own mapping as leaderboard.journal.repair,
        // under leaderboard.journal: the journal's path must survive it
        Map<String, String> env = Map.of("LEADERBOARD_JOURNAL", "/tmp/j", "LEADERBOARD_JOURNAL_REPAIR", "true",
                "LEADERBOARD_STALL_TIMEOUT", "PT3S");
        LeaderboardConfig lc = LeaderboardConfig.from(Options.config(Options.parse(), env).get("leaderboard"));
        assertEquals(Path.of("/tmp/j"), lc.journal());
        assertTrue(lc.journalRepair());
        assertEquals(Duration.ofSeconds(3), lc.stallTimeout());
    }

    @Test
    void everyKeyOfTheBundledConfiguration_isAnOption_andTheHelpListsIt() {
        Config bundled = Config.just(ConfigSources.classpath("application.yaml"));
        List<String> leaves = new ArrayList<>();
        bundled.traverse().filter(Config::isLeaf).forEach(n -> leaves.add(n.key().toString()));
        Set<String> keys = Options.KEYS.stream().map(Options.Key::key).collect(Collectors.toSet());
        // Helidon's socket tuning stays in the file; everything of the app is an option
        leaves.removeIf(k -> k.startsWith("server.connection-options."));
        assertFalse(leaves.isEmpty());
        for (String k : leaves) {
            assertTrue(keys.contains(k), k + " is in application.yaml but not an option");
        }
        String help = Options.help();
        for (Options.Key k : Options.KEYS) {
            assertTrue(help.contains(k.flag() + "=" + k.value() + "  (" + k.env() + ")"), k.key());
        }
        assertTrue(help.contains("--leaderboard.topk=N  (LEADERBOARD_TOPK)\n        entries in a streamed snapshot, and the default ?limit [default: 10]"),
                help);
    }

    @Test
    void valueThatDoesNotParse_isRefusedNamingKeyAndValue() {
        assertEquals("redis-timeout: soon (expected: an ISO-8601 duration such as PT2S or PT0.5S)",
                assertThrows(IllegalArgumentException.class, () -> LeaderboardConfig.from(
                        Options.config(Options.parse("--leaderboard.redis-timeout=soon"), Map.of()).get("leaderboard")))
                        .getMessage());
        assertEquals("limits.body: 4k (expected: an integer)",
                assertThrows(IllegalArgumentException.class, () -> LeaderboardConfig.from(
                        Options.config(Options.parse(), Map.of("LEADERBOARD_LIMITS_BODY", "4k")).get("leaderboard")))
                        .getMessage());
    }

    @Test
    void everyOption_isReadByTheApp() {
        // a value for each key that differs from its default: LeaderboardConfig must see it
        Map<String, String> flags = Map.ofEntries(
                Map.entry("leaderboard.store", "redis://127.0.0.1:1"), Map.entry("leaderboard.journal", "j"),
                Map.entry("leaderboard.journal-repair", "true"), Map.entry("leaderboard.prefix", "p"),
                Map.entry("leaderboard.topk", "11"), Map.entry("leaderboard.rate", "12"),
                Map.entry("leaderboard.strategy", "drop-oldest"), Map.entry("leaderboard.token", "t"),
                Map.entry("leaderboard.limits.body", "100"), Map.entry("leaderboard.limits.id", "13"),
                Map.entry("leaderboard.limits.limit", "14"), Map.entry("leaderboard.limits.streams", "15"),
                Map.entry("leaderboard.limits.reserve", "16"), Map.entry("leaderboard.timeouts.header", "PT1S"),
                Map.entry("leaderboard.timeouts.body", "PT2S"), Map.entry("leaderboard.timeouts.idle", "PT3S"),
                Map.entry("leaderboard.heartbeat", "PT4S"), Map.entry("leaderboard.stall-timeout", "PT5S"),
                Map.entry("leaderboard.redis-timeout", "PT6S"), Map.entry("leaderboard.resync", "PT7S"));
        List<String> args = new ArrayList<>();
        flags.forEach((k, v) -> args.add("--" + k + "=" + v));
        LeaderboardConfig lc = LeaderboardConfig.from(Options.config(Options.parse(args.toArray(String[]::new)), Map.of())
                .get("leaderboard"));
        assertEquals(new LeaderboardConfig("redis://127.0.0.1:1", Path.of("j"), true, "p", 11, 12.0,
                dev.fanout.Overflow.parse("drop-oldest"), Optional.of("t"), 100, 13, 14, 15, 16, Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5),
                Duration.ofSeconds(6), Duration.ofSeconds(7)).toString(), lc.toString());
        assertEquals(flags.size() + 3, Options.KEYS.size(), "server.host, server.port, server.max-tcp-connections");
    }
}
