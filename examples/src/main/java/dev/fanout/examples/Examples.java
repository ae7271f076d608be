package dev.fanout.examples;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** What every example needs besides Fanout itself: its run time from the command line, and waiting. */
final class Examples {
    private Examples() {
    }

    /**
     * Reads how long an example runs from its first argument: {@code 3s}, {@code 1.5s},
     * {@code 500ms} or an ISO-8601 duration such as {@code PT3S}.
     *
     * @param args         the command line
     * @param defaultValue used when there is no argument
     * @return the duration, more than zero
     */
    static Duration duration(String[] args, Duration defaultValue) {
        if (args.length == 0) {
            return defaultValue;
        }
        String a = args[0].strip();
        Duration d;
        try {
            if (a.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(a.substring(0, a.length() - 2)));
            } else if (a.endsWith("s") && !a.startsWith("P")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(a.substring(0, a.length() - 1)) * 1000));
            } else {
                d = Duration.parse(a);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("duration: \"" + a + "\" (expected: like 3s, 500ms or PT3S)", e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration: \"" + a + "\" (expected: > 0)");
        }
        return d;
    }

    /** Parks until {@link System#nanoTime()} reaches {@code deadline}; returns early on interrupt. */
    static void sleepUntil(long deadline) {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Parks for {@code d}; returns early on interrupt. */
    static void sleep(Duration d) {
        sleepUntil(System.nanoTime() + d.toNanos());
    }

    /** @return milliseconds since {@code startNanos} */
    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
