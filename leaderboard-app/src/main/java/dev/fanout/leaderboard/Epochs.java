package dev.fanout.leaderboard;

import java.security.SecureRandom;

/**
 * New epochs for the stores' version sequences ({@link LeaderboardStore#epoch()}). Thread-safe.
 */
final class Epochs {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The epoch a shared store reports before it has one: no game was applied since its data
     * was created or lost. Never drawn by {@link #random()}, which gives 12 characters.
     */
    static final String NONE = "none";

    private Epochs() {
    }

    /** @return a new random epoch: 12 of {@code [0-9a-z]}, about 62 bits, so never drawn twice in practice */
    static String random() {
        char[] out = new char[12];
        for (int i = 0; i < out.length; i++) {
            out[i] = Character.forDigit(RANDOM.nextInt(36), 36);
        }
        return new String(out);
    }
}
