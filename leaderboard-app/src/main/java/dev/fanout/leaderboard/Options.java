package dev.fanout.leaderboard;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The leaderboard's options: one table of configuration keys, each of which can be given as a
 * flag ({@code --leaderboard.topk=20}), an environment variable ({@code LEADERBOARD_TOPK=20}:
 * the key in upper case with {@code .} and {@code -} as {@code _}) or in a configuration file
 * ({@code leaderboard: topk: 20}), and the {@link Config} they make.
 *
 * <p>Precedence, highest first: flags, Java system properties ({@code -Dleaderboard.topk=20}),
 * environment variables, the file of {@code --config} (or {@code LEADERBOARD_CONFIG}), the
 * defaults bundled as {@code application.yaml}. Helidon's own environment mapping
 * ({@code _dash_} for {@code -}) still works for keys outside the table, just below the table's.
 *
 * <p>Stateless; safe from any thread.
 */
final class Options {

    /** The flag that names the configuration file. */
    static final String CONFIG_FLAG = "--config";
    /** The environment variable that names the configuration file. */
    static final String CONFIG_ENV = "LEADERBOARD_CONFIG";

    /**
     * A configuration key.
     *
     * @param key   the key, as in {@code application.yaml}
     * @param value what its value is, for the help ({@code N}, {@code DURATION}, ...)
     * @param help  one line on what it does
     */
    record Key(String key, String value, String help) {

        /** @return {@code --} and the key */
        String flag() {
            return "--" + key;
        }

        /** @return the environment variable: the key in upper case, {@code .} and {@code -} as {@code _} */
        String env() {
            return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }

        boolean bool() {
            return value.equals("BOOLEAN");
        }
    }

    /** Every key the command line accepts; the help lists them in this order. */
    static final List<Key> KEYS = List.of(
            new Key("server.host", "HOST", "the address to listen on"),
            new Key("server.port", "PORT", "the port to listen on; 0 picks a free one"),
            new Key("server.max-tcp-connections", "N",
                    "connections the listener accepts at once; unset: the open-file limit minus a reserve"),
            new Key("leaderboard.store", "STORE", "memory (embedded, with a journal) or a Redis URI: redis://127.0.0.1:6379"),
            new Key("leaderboard.journal", "FILE", "the embedded store's journal"),
            new Key("leaderboard.journal-repair", "BOOLEAN",
                    "repair a damaged journal at start (the damaged file kept aside) rather than refuse to start"),
            new Key("leaderboard.prefix", "PREFIX", "the Redis key prefix: several leaderboards can share one Redis"),
            new Key("leaderboard.topk", "N", "entries in a streamed snapshot, and the default ?limit"),
            new Key("leaderboard.rate", "PER_SECOND", "snapshots per second at most"),
            new Key("leaderboard.strategy", "STRATEGY",
                    "overflow strategy of streams: latest-only, drop-oldest, drop-newest, disconnect, slow-producer"),
            new Key("leaderboard.token", "TOKEN", "the Bearer token POST /submit-game requires; empty: none"),
            new Key("leaderboard.limits.body", "BYTES", "the largest accepted POST /submit-game body"),
            new Key("leaderboard.limits.id", "N", "the longest accepted id, in UTF-16 characters"),
            new Key("leaderboard.limits.limit", "N", "the largest accepted ?limit"),
            new Key("leaderboard.limits.streams", "N",
                    "streams open at once, more get 503; 0: server.max-tcp-connections minus the reserve"),
            new Key("leaderboard.limits.reserve", "N",
                    "connections kept from streams and silent connections; 0: 1% of server.max-tcp-connections, at least 64"),
            new Key("leaderboard.timeouts.header", "DURATION", "a request head must arrive within this"),
            new Key("leaderboard.timeouts.body", "DURATION", "a request body must arrive within this of its head"),
            new Key("leaderboard.timeouts.idle", "DURATION", "a kept-alive connection with no next request is closed after this"),
            new Key("leaderboard.heartbeat", "DURATION", "an idle stream sends a heartbeat comment after this"),
            new Key("leaderboard.stall-timeout", "DURATION", "a stream whose write makes no progress this long is ended"),
            new Key("leaderboard.redis-timeout", "DURATION", "the Redis command timeout"),
            new Key("leaderboard.resync", "DURATION", "how often a shared store's version is compared"));

    private static final Map<String, Key> BY_FLAG = new LinkedHashMap<>();

    static {
        for (Key k : KEYS) {
            BY_FLAG.put(k.flag(), k);
        }
    }

    /**
     * A parsed command line.
     *
     * @param flags  the keys given as flags, with their values, in the order given
     * @param config the file of {@code --config}, if given
     * @param help   whether {@code --help} was given
     */
    record CommandLine(Map<String, String> flags, Optional<Path> config, boolean help) {
    }

    private Options() {
    }

    /**
     * Parses {@code --key=value}, {@code --key value}, a bare boolean {@code --key} (true),
     * {@code --config FILE} and {@code -h}/{@code --help}.
     *
     * @param args the command line
     * @return what it says
     * @throws IllegalArgumentException for an unknown option, a missing value or a value given twice
     */
    static CommandLine parse(String... args) {
        Map<String, String> flags = new LinkedHashMap<>();
        Optional<Path> config = Optional.empty();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            Key key = BY_FLAG.get(name);
            if (key == null && !name.equals(CONFIG_FLAG)) {
                throw new IllegalArgumentException(name + ": unknown option (see --help)");
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (key != null && key.bool() && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + ": no value (expected: " + name + "=" + (key == null ? "FILE" : key.value()) + ")");
            }
            if (key == null) {
                if (config.isPresent()) {
                    throw new IllegalArgumentException(CONFIG_FLAG + ": given twice");
                }
                config = Optional.of(Path.of(value));
            } else if (flags.putIfAbsent(key.key(), value) != null) {
                throw new IllegalArgumentException(name + ": given twice");
            }
        }
        return new CommandLine(Map.copyOf(flags), config, help);
    }

    /**
     * The configuration of a start.
     *
     * @param line the command line
     * @param env  the environment ({@link System#getenv()}; a map in tests)
     * @return the root configuration, {@code server} and {@code leaderboard}
     * @throws IllegalArgumentException when the configuration file named does not exist
     */
    static Config config(CommandLine line, Map<String, String> env) {
        List<java.util.function.Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        sources.add(ConfigSources.create(line.flags(), "flags"));
        sources.add(ConfigSources.systemProperties());
        Map<String, String> fromEnv = new LinkedHashMap<>();
        for (Key k : KEYS) {
            String v = env.get(k.env());
            if (v != null) {
                fromEnv.put(k.key(), v);
            }
        }
        sources.add(ConfigSources.create(fromEnv, "environment"));
        sources.add(ConfigSources.environmentVariables());
        Optional<Path> file = line.config().or(() -> Optional.ofNullable(env.get(CONFIG_ENV)).filter(s -> !s.isBlank()).map(Path::of));
        if (file.isPresent()) {
            if (!Files.isRegularFile(file.get())) {
                throw new IllegalArgumentException("config: " + file.get().toAbsolutePath() + " (expected: a readable YAML or .properties file)");
            }
            sources.add(ConfigSources.file(file.get()));
        }
        sources.add(ConfigSources.classpath("application.yaml"));
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(sources)
                .build();
    }

    /** @return the help: usage, the precedence, and every key with its variable and default */
    static String help() {
        Config defaults = Config.just(ConfigSources.classpath("application.yaml"));
        StringBuilder b = new StringBuilder();
        b.append("""
                Usage: java -jar leaderboard.jar [--KEY=VALUE | --KEY VALUE]... [--config FILE]

                Runs the leaderboard: POST /submit-game, GET /leaderboard, GET /player/{id}/stats,
                GET /stream-leaderboard (SSE), GET /metrics, the live page at /. SIGTERM or Ctrl-C
                ends the streams, stops the listener and closes the journal (exit status 143 or 130).

                Every KEY below can also be set as an environment variable (the key in upper case,
                '.' and '-' as '_': LEADERBOARD_TOPK=20) or in a YAML or .properties file
                (leaderboard: topk: 20). Precedence, highest first: flag, Java system property
                (-Dleaderboard.topk=20), environment variable, config file, default.

                  --config FILE
                        a YAML or .properties configuration file (LEADERBOARD_CONFIG)
                  -h, --help
                        prints this help and exits

                """);
        for (Key k : KEYS) {
            String d = defaults.get(k.key()).asString().orElse("unset");
            b.append("  ").append(k.flag()).append('=').append(k.value()).append("  (").append(k.env()).append(")\n")
                    .append("        ").append(k.help()).append(" [default: ").append(d.isEmpty() ? "empty" : d).append("]\n");
        }
        b.append("\nDurations are ISO-8601: PT10S, PT0.5S, PT2M. Other Helidon server keys (server.*) go in the config file.\n");
        return b.toString();
    }
}
