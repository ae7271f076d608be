package dev.fanout.sse;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.OptionalLong;

/**
 * Sizes a listener from the process's open-file limit. When {@code accept()} fails because the
 * process is out of file descriptors, Helidon's listener stops accepting for good; a
 * {@code maxTcpConnections} below the limit keeps it alive, and an {@link SseHandler}
 * {@code maxConnections} a little below that turns the excess into {@code 503}s:
 *
 * {@snippet file="dev/fanout/sse/SseExample.java" region="limits"}
 *
 * Stateless and thread-safe.
 */
public final class ConnectionLimits {
    /** Descriptors kept back at least: jars, logs, the selector, outbound connections. */
    public static final int MIN_RESERVE = 256;

    private ConnectionLimits() {
    }

    /**
     * {@return the process's open-file limit ({@code RLIMIT_NOFILE}), when the platform reports it
     * (Unix-like systems through {@code com.sun.management.UnixOperatingSystemMXBean})}
     */
    public static OptionalLong openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            if (max > 0) {
                return OptionalLong.of(max);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The listener's {@code maxTcpConnections}: the open-file limit minus a reserve of 2% of it,
     * at least {@value #MIN_RESERVE} (20,000 files give 19,600 connections).
     *
     * @param fallback the answer when the limit is unknown
     * @return the connection limit, at least 1
     */
    public static int maxTcpConnections(int fallback) {
        OptionalLong limit = openFileLimit();
        if (limit.isEmpty()) {
            return fallback;
        }
        long max = limit.getAsLong();
        return maxTcpConnections(max, Math.max(MIN_RESERVE, max / 50));
    }

    /**
     * The {@code max-tcp-connections} that leaves {@code reserve} file descriptors for the rest of the process.
     *
     * @param openFileLimit the process's open-file limit
     * @param reserve       descriptors to keep for everything else
     * @return {@code openFileLimit - reserve}, capped to an int, at least 1
     */
    public static int maxTcpConnections(long openFileLimit, long reserve) {
        if (reserve < 0) {
            throw new IllegalArgumentException("reserve: " + reserve + " (expected: >= 0)");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, openFileLimit - reserve));
    }
}
