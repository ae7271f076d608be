package dev.fanout.sse;

import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * One virtual thread per handler that looks at every open connection several times per
 * heartbeat interval and per stall timeout: it asks idle streams for a heartbeat and evicts
 * streams whose current write has made no progress for the stall timeout. It replaces a timer
 * per connection (a timed park per stream costs a timer insert and cancel per message). Started
 * with the first stream, stopped by {@link #stop()}; it takes no lock while it scans.
 */
final class Ticker implements Runnable {
    private final Set<Connection> connections;
    private final long heartbeatNanos;
    private final long stallNanos;
    private final long periodNanos;
    private volatile boolean stopped;
    private volatile Thread thread;

    Ticker(Set<Connection> connections, long heartbeatNanos, long stallNanos) {
        this.connections = connections;
        this.heartbeatNanos = heartbeatNanos;
        this.stallNanos = stallNanos;
        long period = Math.min(heartbeatNanos / 8, stallNanos / 4);
        this.periodNanos = Math.max(1_000_000L, Math.min(period, 1_000_000_000L));
    }

    void start() {
        if (thread == null) {
            synchronized (this) {
                if (thread == null && !stopped) {
                    thread = Thread.ofVirtual().name("fanout-sse-ticker").start(this);
                }
            }
        }
    }

    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        while (!stopped) {
            LockSupport.parkNanos(this, periodNanos);
            long now = System.nanoTime();
            for (Connection c : connections) {
                if (!c.evictIfStalled(now, stallNanos) && c.idleSince(now, heartbeatNanos)) {
                    c.heartbeat();
                }
            }
        }
    }
}
