package dev.fanout.sse;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
    /** Set by {@link #probe()}, cleared by the ticker's next pass. */
    private volatile boolean probeAsked;
    /** The earliest {@link System#nanoTime()} of the next probe. */
    private final AtomicLong nextProbe = new AtomicLong(System.nanoTime());

    /** A probe asks streams idle this long for a heartbeat. */
    static final long PROBE_IDLE_NANOS = 1_000_000_000L;
    /** Probes at most this often: a full server with idle streams pays for a few writes a stream. */
    static final long PROBE_EVERY_NANOS = 5_000_000_000L;

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

    /**
     * Any thread: the handler is at its stream limit. Streams whose client has gone (a reset, a
     * close) stay counted until a write to them fails, which on an idle stream is the next
     * heartbeat; the ticker's next pass asks every stream idle for {@link #PROBE_IDLE_NANOS} for
     * one now, so a refused client's retry finds the room they held. At most one probe per
     * {@link #PROBE_EVERY_NANOS}.
     */
    void probe() {
        long now = System.nanoTime();
        long next = nextProbe.get();
        if (now - next >= 0 && nextProbe.compareAndSet(next, now + PROBE_EVERY_NANOS)) {
            probeAsked = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
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
            boolean probing = probeAsked;
            if (probing) {
                probeAsked = false;
            }
            long now = System.nanoTime();
            long idle = probing ? Math.min(heartbeatNanos, PROBE_IDLE_NANOS) : heartbeatNanos;
            for (Connection c : connections) {
                if (!c.evictIfStalled(now, stallNanos) && c.idleSince(now, idle)) {
                    c.heartbeat();
                }
            }
        }
    }
}
