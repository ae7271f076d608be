package dev.fanout;

import java.util.concurrent.Executor;

/**
 * An executor that runs nothing: it keeps the drain tasks a hub schedules, so a test sees whether
 * a publish woke a push subscription and can run the task itself on an actor thread. Written by
 * the thread that schedules (the publisher), read after the actors finish (jcstress's arbiter).
 */
final class Tasks implements Executor {
    /** Tasks scheduled since the last {@link #take()}. */
    int scheduled;
    private Runnable last;

    @Override
    public void execute(Runnable task) {
        scheduled++;
        last = task;
    }

    /** @return the task scheduled last; the count starts again from zero */
    Runnable take() {
        Runnable t = last;
        if (t == null) {
            throw new IllegalStateException("no task was scheduled");
        }
        last = null;
        scheduled = 0;
        return t;
    }
}
