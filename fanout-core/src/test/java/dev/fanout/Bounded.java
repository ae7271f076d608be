package dev.fanout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a call that may never return (a suspected deadlock) on a daemon thread and waits for it
 * at most a given time, so that a test fails instead of hanging the build. What the call threw
 * and, if it did not finish, where its thread stands are kept for the test to assert on, on its
 * own thread.
 */
final class Bounded {

    /** A call that may throw anything. */
    @FunctionalInterface
    interface Call {
        void run() throws Throwable;
    }

    /**
     * What became of the call.
     *
     * @param finished true when it returned or threw within the time
     * @param thrown   what it threw, or null
     * @param stack    where its thread stood when the time was up, empty when it finished
     */
    record Outcome(boolean finished, Throwable thrown, String stack) {
        /** @return a message for an assertion: the stack of a call that did not finish, or what it threw */
        String describe(String what) {
            if (!finished) {
                return what + " did not finish; its thread is at:" + stack;
            }
            return what + (thrown == null ? " returned" : " threw " + thrown);
        }
    }

    private Bounded() {
    }

    /**
     * @param name    names the daemon thread
     * @param timeout how long to wait for the call
     * @param call    the call
     * @return what became of it; a call that did not finish keeps running on its daemon thread
     */
    static Outcome run(String name, Duration timeout, Call call) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.start();
        t.join(TimeUnit.NANOSECONDS.toMillis(timeout.toNanos()));
        if (t.isAlive()) {
            return new Outcome(false, null, stackOf(t));
        }
        return new Outcome(true, thrown[0], ""); // join gives the happens-before edge for thrown[0]
    }

    /** @return the stack of {@code t}, one frame a line */
    static String stackOf(Thread t) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n  ").append(t.getName()).append(" (").append(t.getState()).append(")");
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\n    at ").append(e);
        }
        return sb.toString();
    }

    /**
     * Throws {@code t} whatever its type, past the compiler's check for checked exceptions: what
     * a Kotlin function, a {@code @SneakyThrows} method or a rethrowing proxy can do to a Java
     * caller.
     */
    static RuntimeException sneakyThrow(Throwable t) {
        return Bounded.<RuntimeException>rethrow(t);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
