package dev.fanout.sse;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of an {@link SseHandler}'s counters and gauges, taken by {@link SseHandler#stats()}
 * from any thread. The values are read one by one while streams run, so a snapshot is
 * approximate under traffic and exact once it has stopped. Immutable.
 *
 * @param openConnections streams open now (the gauge to alert on)
 * @param accepted        streams ever opened
 * @param resumed         streams that came with a {@code Last-Event-ID} (a blank one counts as none)
 * @param resumeGaps      of those, streams that could not pick up exactly where the client
 *                        left off and got the current state instead: with positions (the
 *                        default ids), the id was of another epoch, ahead of the hub, older
 *                        than its history, or unreadable, and the stream began with a reset
 *                        event; with message ids ({@link SseHandler.Builder#eventIds}), the
 *                        first event's id differed from the client's (with
 *                        {@link SseHandler.Builder#eventPositions}, a reset came first when
 *                        the client's id was of another epoch or not a position)
 * @param rejected        requests refused with 503 by admission control
 * @param eventsWritten   events written and flushed, summed over connections
 * @param bytesWritten    bytes written and flushed (events, heartbeats, retry hints)
 * @param heartbeats      heartbeat comments written
 * @param framesEncoded   events encoded to bytes; with no re-encode it equals the distinct
 *                        messages written, however many connections wrote each
 * @param eventsFailed    messages the event mapper threw on (or returned null for); no
 *                        connection got them, each was logged once
 * @param dropped         messages a connection's overflow strategy discarded (superseded,
 *                        oldest, ...), summed over open and closed connections
 * @param disconnects     ended streams by cause
 * @param latency         publish-to-flush latency of live events: from
 *                        {@link SseEvent#createdNanos()} to the flush that sent it, one sample
 *                        per event per connection. Events published before the stream began
 *                        (the current state it starts with, a resume's replay) are not
 *                        sampled: their age says nothing about delivery
 */
public record SseStats(int openConnections, long accepted, long resumed, long resumeGaps, long rejected, long eventsWritten, long bytesWritten,
                       long heartbeats, long framesEncoded, long eventsFailed, long dropped, Map<SseDisconnect, Long> disconnects,
                       Latency latency) {

    /** Copies the map. */
    public SseStats {
        disconnects = Map.copyOf(disconnects);
        Objects.requireNonNull(latency, "latency");
    }

    /**
     * Disconnects for one cause.
     *
     * @param cause a cause
     * @return the streams that ended for it
     */
    public long disconnects(SseDisconnect cause) {
        return disconnects.getOrDefault(Objects.requireNonNull(cause, "cause"), 0L);
    }

    /**
     * A latency distribution in logarithmic buckets (four per power of two of microseconds):
     * a percentile is reported as the upper bound of its bucket, within 19% of the true value.
     * Immutable.
     */
    public static final class Latency {
        private final long[] counts;
        private final long total;

        Latency(long[] counts) {
            this.counts = counts;
            long t = 0;
            for (long c : counts) {
                t += c;
            }
            this.total = t;
        }

        /** {@return how many samples were recorded} */
        public long count() {
            return total;
        }

        /**
         * A latency percentile.
         *
         * @param percentile 0 to 100
         * @return the latency at that percentile (an upper bound), or zero with no samples
         */
        public Duration percentile(double percentile) {
            if (!(percentile >= 0 && percentile <= 100)) {
                throw new IllegalArgumentException("percentile: " + percentile + " (expected: 0 to 100)");
            }
            if (total == 0) {
                return Duration.ZERO;
            }
            long rank = Math.max(1, (long) Math.ceil(total * percentile / 100));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return Duration.ofNanos(LatencyHistogram.upperMicros(i) * 1000);
                }
            }
            return Duration.ofNanos(LatencyHistogram.upperMicros(counts.length - 1) * 1000);
        }

        /**
         * Cumulative counts for exporters (Prometheus-style buckets).
         *
         * @return for each bucket upper bound in microseconds, the samples at or below it,
         *         in increasing order of bound
         */
        public Map<Long, Long> cumulativeMicros() {
            java.util.TreeMap<Long, Long> m = new java.util.TreeMap<>();
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                m.put(LatencyHistogram.upperMicros(i), seen);
            }
            return java.util.Collections.unmodifiableSortedMap(m);
        }

        @Override
        public String toString() {
            return "Latency[n=" + total + ", p50=" + percentile(50) + ", p99=" + percentile(99) + "]";
        }
    }
}
