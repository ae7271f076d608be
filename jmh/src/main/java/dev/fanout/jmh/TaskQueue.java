package dev.fanout.jmh;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * The executor of the push-based peers, run by the scenario's drain threads: a task the peer
 * submits waits here until a drain thread's sweep runs it. So push-based peers deliver on the
 * same threads, and as many of them, as the pull-based subjects; no thread of a pool competes
 * for the two cores, and no delivery happens after the iteration's barrier.
 */
final class TaskQueue implements Executor {
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** @return how many tasks ran, at most {@code limit} */
    int runSome(int limit) {
        int n = 0;
        Runnable t;
        while (n < limit && (t = tasks.poll()) != null) {
            t.run();
            n++;
        }
        return n;
    }
}
