package dev.fanout.leaderboard.load;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One progress line of a load run, in a fixed order a person can follow from line to line:
 * <pre>
 * [steady ] 0:42 elapsed, 0:18 left | open 10,000/10,000, failed 0, dropped 0 | 51,230 events/s | p99 4.21 ms (last 5 s: 3.90 ms) | server streams 10,000 | games 4,200 sent, 4,200 acked, 0 errors
 * </pre>
 * The time left is until the end of the hold (during the ramp: the rest of the ramp plus the
 * hold); while settling it is the most the settling may still take ("up to"). The p99 is over
 * every event received so far (the ramp included), then over the last interval.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param phase             where the run is
 * @param elapsedNanos      since the run started
 * @param remainingNanos    until the phase's planned end, see above; never negative
 * @param open              connections streaming now
 * @param target            connections asked for
 * @param failed            connections that failed
 * @param dropped           connections that ended early
 * @param eventsPerSecond   events received per second over the last interval
 * @param p99Micros         P99 latency so far in microseconds, or -1 before the first event
 * @param intervalP99Micros P99 latency of the last interval, or -1 when it had no event
 * @param intervalSeconds   the interval's length
 * @param serverStreams     each target's {@code leaderboard_streams_open}, -1 where it did not answer
 * @param games             the submissions so far, when the run submits
 */
record Progress(Phase phase, long elapsedNanos, long remainingNanos, int open, int target, long failed, long dropped,
                double eventsPerSecond, long p99Micros, long intervalP99Micros, double intervalSeconds,
                List<Long> serverStreams, Optional<Games> games) {

    /** Where a run is. */
    enum Phase {
        /** Opening connections at the ramp rate. */
        RAMP("ramp"),
        /** Every connection opened; latencies not yet counted as steady. */
        WARMUP("warm-up"),
        /** Holding the connections; latencies counted as steady. */
        STEADY("steady"),
        /** Submissions stopped; waiting for every client to reach the final snapshot. */
        SETTLE("settle");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** @return the name printed */
        String label() {
            return label;
        }
    }

    /**
     * @param sent   games sent
     * @param acked  games acknowledged
     * @param errors submissions that failed
     */
    record Games(long sent, long acked, long errors) {
    }

    /** Checks for nulls and negative times. */
    Progress {
        Objects.requireNonNull(phase, "phase");
        serverStreams = List.copyOf(serverStreams);
        Objects.requireNonNull(games, "games");
        if (elapsedNanos < 0) {
            throw new IllegalArgumentException("elapsedNanos: " + elapsedNanos + " (expected: >= 0)");
        }
        remainingNanos = Math.max(0, remainingNanos);
    }

    /** @return the line, without a line break */
    String line() {
        StringBuilder b = new StringBuilder(200);
        b.append('[').append(String.format(Locale.ROOT, "%-7s", phase.label())).append("] ")
                .append(clock(elapsedNanos)).append(" elapsed, ")
                .append(phase == Phase.SETTLE ? "up to " : "").append(clock(remainingNanos)).append(" left")
                .append(" | open ").append(count(open)).append('/').append(count(target))
                .append(", failed ").append(count(failed)).append(", dropped ").append(count(dropped))
                .append(" | ").append(count(Math.round(eventsPerSecond))).append(" events/s")
                .append(" | p99 ").append(p99Micros < 0 ? "-" : ms(p99Micros))
                .append(" (last ").append(String.format(Locale.ROOT, "%.0f", intervalSeconds)).append(" s: ")
                .append(intervalP99Micros < 0 ? "-" : ms(intervalP99Micros)).append(')')
                .append(" | server streams ");
        for (int i = 0; i < serverStreams.size(); i++) {
            long s = serverStreams.get(i);
            b.append(i == 0 ? "" : ", ").append(s < 0 ? "?" : count(s));
        }
        games.ifPresent(g -> b.append(" | games ").append(count(g.sent())).append(" sent, ").append(count(g.acked()))
                .append(" acked, ").append(count(g.errors())).append(g.errors() == 1 ? " error" : " errors"));
        return b.toString();
    }

    /** @return m:ss, or h:mm:ss from an hour */
    static String clock(long nanos) {
        long s = (nanos + 500_000_000L) / 1_000_000_000L;
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }
}
