package dev.fanout.leaderboard;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Rate-limits the warnings Helidon writes for requests it cannot parse. Helidon 4.5.0 answers
 * some malformed requests (a request line whose method is not a token, for one) with 500 and
 * logs each at WARNING with a stack trace: a client sending them in a loop would fill the disk
 * (200 such requests wrote 557 KB in 0.33 s in the first adversarial run). Here at most one such
 * record per {@link #PERIOD_SECONDS} seconds per logger is written, without its stack trace, and
 * says how many were dropped before it.
 *
 * <p>Thread-safe: one instance per logger, records may arrive from any thread.
 */
final class QuietLog implements Filter {
    static final long PERIOD_SECONDS = 60;
    /** The loggers Helidon writes per-request parse failures to. */
    static final String[] LOGGERS = {
        "io.helidon.webserver.http1.Http1Connection",
        "io.helidon.webserver.http.DirectHandlers",
        "io.helidon.webserver.ConnectionHandler",
    };

    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong dropped = new AtomicLong();

    private QuietLog() {
    }

    /** Installs the filter on {@link #LOGGERS}; keeps the loggers referenced so the filter stays. */
    static Logger[] install() {
        Logger[] loggers = new Logger[LOGGERS.length];
        for (int i = 0; i < LOGGERS.length; i++) {
            loggers[i] = Logger.getLogger(LOGGERS[i]);
            loggers[i].setFilter(new QuietLog());
        }
        return loggers;
    }

    @Override
    public boolean isLoggable(LogRecord r) {
        if (r.getLevel().intValue() < Level.WARNING.intValue() || r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            return true; // debug output someone asked for, and errors, pass as they are
        }
        long now = System.nanoTime();
        long due = next.get();
        if (due != Long.MIN_VALUE && now - due < 0 || !next.compareAndSet(due, now + TimeUnit.SECONDS.toNanos(PERIOD_SECONDS))) {
            dropped.incrementAndGet();
            return false;
        }
        long before = dropped.getAndSet(0);
        Throwable t = r.getThrown();
        String cause = t == null ? "" : ": " + t + (t.getCause() == null ? "" : ", caused by " + t.getCause());
        r.setMessage(r.getMessage() + cause + " (at most one such warning per " + PERIOD_SECONDS + " s; "
                + before + " dropped before this one)");
        r.setThrown(null);
        return true;
    }
}
