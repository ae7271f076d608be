package dev.fanout.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters a binder registered, per registry, so that {@code close()} can remove them and
 * leave no reference to a hub or a handler in a registry that outlives it. Thread-safe.
 */
final class Binding {
    private record Registered(MeterRegistry registry, Meter meter) {
    }

    private final List<Registered> meters = new ArrayList<>();
    private final List<Runnable> undo = new ArrayList<>();
    private boolean closed;

    /** @return {@code meter}, remembered for {@link #close()} */
    synchronized <M extends Meter> M add(MeterRegistry registry, M meter) {
        meters.add(new Registered(registry, meter));
        return meter;
    }

    /** Runs {@code action} at {@link #close()}: a listener to detach, say. */
    synchronized void onClose(Runnable action) {
        undo.add(action);
    }

    synchronized void checkOpen(Object binder) {
        if (closed) {
            throw new IllegalStateException(binder + ": closed (expected: bindTo before close)");
        }
    }

    synchronized void close() {
        closed = true;
        for (Runnable r : undo) {
            r.run();
        }
        undo.clear();
        for (Registered r : meters) {
            r.registry().remove(r.meter());
        }
        meters.clear();
    }
}
