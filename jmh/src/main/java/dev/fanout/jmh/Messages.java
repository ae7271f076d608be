package dev.fanout.jmh;

/** Messages made once, so no subject pays for boxing in the measured loop. */
final class Messages {
    static final int MASK = 4095;
    private static final Long[] VALUES = new Long[MASK + 1];

    static {
        for (int i = 0; i <= MASK; i++) {
            VALUES[i] = (long) i + 1_000; // outside Long's cache: real objects, as real messages are
        }
    }

    private Messages() {
    }

    static Long get(long i) {
        return VALUES[(int) (i & MASK)];
    }
}
