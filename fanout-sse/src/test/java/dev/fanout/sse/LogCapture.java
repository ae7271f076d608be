package dev.fanout.sse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects log records that carry a stack trace or are warnings, from every logger (JUL root). */
final class LogCapture extends Handler implements AutoCloseable {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    static LogCapture install() {
        LogCapture c = new LogCapture();
        Logger.getLogger("").addHandler(c);
        return c;
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getThrown() != null || r.getLevel().intValue() >= Level.WARNING.intValue()) {
            records.add(r);
        }
    }

    String describe() {
        StringBuilder b = new StringBuilder();
        for (LogRecord r : records) {
            b.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage())
                    .append(r.getThrown() == null ? "" : " " + r.getThrown()).append('\n');
        }
        return b.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
