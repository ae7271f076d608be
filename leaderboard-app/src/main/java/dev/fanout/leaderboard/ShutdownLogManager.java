package dev.fanout.leaderboard;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;

/**
 * The JDK's {@link LogManager}, except that the reset its own shutdown hook does waits for the
 * app's shutdown hook: the lines that say how the app stopped (streams ended, listener closed,
 * journal closed) are logged, not dropped by a race between the two hooks.
 *
 * <p>{@link Main} selects it (the {@code java.util.logging.manager} property, set before
 * anything logs: before this class is initialized too, as that initializes its superclass) and calls {@link #holdResetUntil(CountDownLatch)} once the app has started.
 * Where another log manager is in place (a test JVM), {@link #holdResetUntil} does nothing.
 *
 * <p>Thread-safe.
 */
public final class ShutdownLogManager extends LogManager {

    /** How long the reset waits for the app's shutdown hook at most. */
    private static final long HOLD_SECONDS = 60;

    /** A hook never added: removing it throws once the JVM shuts down. */
    private static final Thread PROBE = new Thread(() -> { });

    private volatile CountDownLatch hold;

    /** Called by {@link LogManager} through {@code java.util.logging.manager}. */
    public ShutdownLogManager() {
    }

    /**
     * @param appStopped counted down when the app's shutdown hook has logged its last line
     */
    static void holdResetUntil(CountDownLatch appStopped) {
        if (LogManager.getLogManager() instanceof ShutdownLogManager m) {
            m.hold = appStopped;
        }
    }

    /** Resets as the JDK does; while the JVM shuts down, after the app's shutdown hook (60 s at most). */
    @Override
    public void reset() {
        CountDownLatch h = hold;
        if (h != null && shuttingDown()) {
            try {
                h.await(HOLD_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.reset();
    }

    /** @return true once the JVM runs its shutdown hooks (no hook can be removed then) */
    private static boolean shuttingDown() {
        try {
            Runtime.getRuntime().removeShutdownHook(PROBE);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
