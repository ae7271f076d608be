package dev.fanout;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reading and writing the aliases of {@link Overflow} and {@link Engine}: the one place their
 * grammar lives. Stateless.
 */
final class Aliases {
    private static final String FORMS = "slow-producer[:DURATION], drop-oldest, drop-newest, latest-only,"
            + " latest-per-key (with a key function), disconnect,"
            + " elastic-workers:MIN..MAX[,backlog=N][,idle=DURATION][,wait=DURATION];"
            + " a DURATION is e.g. 250ms, 1s, 2m, 1h or PT0.5S";

    private Aliases() {
    }

    static Overflow overflow(String alias, Function<?, ?> keyFunction) {
        Objects.requireNonNull(alias, "alias");
        String a = alias.strip().toLowerCase(Locale.ROOT);
        int colon = a.indexOf(':');
        String name = colon < 0 ? a : a.substring(0, colon);
        String args = colon < 0 ? null : a.substring(colon + 1);
        try {
            return switch (name) {
                case "slow-producer" -> Overflow.slowProducer(args == null ? Overflow.DEFAULT_MAX_WAIT : duration(args));
                case "drop-oldest" -> none(args, Overflow.dropOldest());
                case "drop-newest" -> none(args, Overflow.dropNewest());
                case "latest-only" -> none(args, Overflow.latestOnly());
                case "disconnect" -> none(args, Overflow.disconnect());
                case "latest-per-key" -> {
                    if (keyFunction == null) {
                        throw new IllegalArgumentException("needs its key function: Overflow.parse(alias, keyFunction)");
                    }
                    @SuppressWarnings("unchecked")
                        Function<Object, ?> f = (Function<Object, ?>) keyFunction;
                        yield none(args, Overflow.latestPerKey(f));
                }
                case "elastic-workers" -> elastic(args);
                default -> throw new IllegalArgumentException("unknown strategy");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("overflow: \"" + alias + "\" (" + e.getMessage() + "; expected: " + FORMS + ")", e);
        }
    }

    private static Overflow none(String args, Overflow o) {
        if (args != null) {
            throw new IllegalArgumentException(o.name() + " takes no parameters");
        }
        return o;
    }

    private static Overflow elastic(String args) {
        if (args == null) {
            throw new IllegalArgumentException("elastic-workers needs MIN..MAX");
        }
        String[] parts = args.split(",");
        String[] range = parts[0].strip().split("\\.\\.", -1);
        if (range.length != 2) {
            throw new IllegalArgumentException("elastic-workers needs MIN..MAX, not \"" + parts[0] + "\"");
        }
        int min = integer(range[0]);
        int max = integer(range[1]);
        int backlog = 0;
        Duration idle = Duration.ofSeconds(1);
        Duration wait = Overflow.DEFAULT_MAX_WAIT;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].strip().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("\"" + parts[i] + "\" is not key=value");
            }
            switch (kv[0].strip()) {
                case "backlog" -> backlog = integer(kv[1]);
                case "idle" -> idle = duration(kv[1]);
                case "wait" -> wait = duration(kv[1]);
                default -> throw new IllegalArgumentException("unknown elastic-workers parameter \"" + kv[0] + "\"");
            }
        }
        return Overflow.elasticWorkers(min, max, backlog, idle).withMaxWait(wait);
    }

    private static int integer(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + s + "\" is not a whole number");
        }
    }

    /** Reads {@code 250ms}, {@code 1s}, {@code 2m}, {@code 1h} or an ISO-8601 duration. */
    static Duration duration(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration");
        }
    }

    /** Writes the shortest form {@link #duration(String)} reads back exactly. */
    static String duration(Duration d) {
        if (d.getNano() % 1_000_000 != 0 || d.isNegative()) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    static Engine engine(String alias) {
        Objects.requireNonNull(alias, "alias");
        String a = alias.strip().toLowerCase(Locale.ROOT);
        if (a.equals("queues")) {
            return Engine.queues();
        }
        if (a.startsWith("ring:")) {
            try {
                return Engine.ring(Integer.parseInt(a.substring(5).strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("engine: \"" + alias + "\" (" + e.getMessage()
                        + "; expected: queues, or ring:SIZE with SIZE from 1 to " + Hub.Builder.MAX_CAPACITY + ")", e);
            }
        }
        throw new IllegalArgumentException("engine: \"" + alias + "\" (expected: queues, or ring:SIZE with SIZE from 1 to "
                + Hub.Builder.MAX_CAPACITY + ")");
    }
}
