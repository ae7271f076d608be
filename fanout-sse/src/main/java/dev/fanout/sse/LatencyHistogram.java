package dev.fanout.sse;

import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free latency histogram with logarithmic buckets: four per power of two of
 * microseconds, so a reported percentile is within 19% of the true value. Recording adds to a
 * {@link LongAdder} (the writers of one broadcast all hit the same bucket, so a plain atomic
 * would be contended); any thread may record and snapshot concurrently.
 */
final class LatencyHistogram {
    static final int SUB = 4;
    static final int BUCKETS = 40 * SUB;

    private final LongAdder[] counts = new LongAdder[BUCKETS];

    LatencyHistogram() {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        counts[index(Math.max(0, nanos / 1000))].increment();
    }

    static int index(long micros) {
        if (micros < SUB) {
            return (int) micros;
        }
        int log = 63 - Long.numberOfLeadingZeros(micros);          // >= 2
        int sub = (int) (micros >>> (log - 2)) & (SUB - 1);        // the two bits after the leading one
        return Math.min(BUCKETS - 1, (log - 1) * SUB + sub);
    }

    /** The largest microsecond value that falls into bucket {@code i}. */
    static long upperMicros(int i) {
        if (i < SUB) {
            return i;
        }
        int log = i / SUB + 1;
        int sub = i % SUB;
        return ((long) (SUB + sub + 1) << (log - 2)) - 1;
    }

    SseStats.Latency snapshot() {
        long[] c = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts[i].sum();
        }
        return new SseStats.Latency(c);
    }
}
