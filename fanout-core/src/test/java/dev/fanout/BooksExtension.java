package dev.fanout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks the books of every hub a core test builds, when the test ends: every message offered to
 * a subscription was delivered, dropped (with a cause) or is still held.
 *
 * <p>Registered for every test of this module by {@code META-INF/services} and
 * {@code junit-platform.properties}. After the test it closes each hub it saw built (and that is
 * still reachable: a hub the test has let go of may have been collected) and waits
 * for it to terminate; once a hub has, nothing moves any more, so
 * {@code offered == delivered + dropped + depth} must hold exactly for each subscription still
 * reachable (attached, draining what it held at the hub's close, or ended), and for the hub's
 * totals over every subscription it has had. A hub that does not
 * terminate in time (a test that leaves a handler parked on purpose) is counted but not checked:
 * a batch in flight is not yet in its books.
 *
 * <p>Tests in this module run one at a time (no parallel execution is configured), so the hubs
 * built between two callbacks belong to the test that ran between them.
 */
@SuppressWarnings("exports") // public only for the ServiceLoader; never part of the module's API
public final class BooksExtension implements BeforeEachCallback, AfterEachCallback {
    private static final Duration TERMINATION = Duration.ofSeconds(1);
    /** Weakly held: a race test builds thousands of hubs, and one it has let go of cannot be checked. */
    private static final List<WeakReference<Hub<?>>> BUILT = new ArrayList<>();

    /** Made by JUnit's extension auto-detection. */
    public BooksExtension() {
    }

    static {
        Hub.built = hub -> {
            synchronized (BUILT) {
                BUILT.add(new WeakReference<>(hub));
            }
        };
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (BUILT) {
            BUILT.clear();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<Hub<?>> hubs = new ArrayList<>();
        synchronized (BUILT) {
            for (WeakReference<Hub<?>> ref : BUILT) {
                Hub<?> hub = ref.get();
                if (hub != null) {
                    hubs.add(hub);
                }
            }
            BUILT.clear();
        }
        if (context.getExecutionException().isPresent()) {
            return; // the test failed already; its books say nothing more
        }
        List<String> wrong = new ArrayList<>();
        for (Hub<?> hub : hubs) {
            hub.close();
            if (!hub.awaitTermination(TERMINATION)) {
                continue;
            }
            // the books balance at rest: a consumer outside the hub's push workers (a Flow
            // subscriber's drain, a pull consumer thread) may still be counting what it handed out
            long deadline = System.nanoTime() + TERMINATION.toNanos();
            List<String> off = new ArrayList<>();
            check(hub, off);
            while (!off.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
                off.clear();
                check(hub, off);
            }
            wrong.addAll(off);
        }
        if (!wrong.isEmpty()) {
            throw new AssertionError("books that do not balance after the test:\n  " + String.join("\n  ", wrong));
        }
    }

    /** Adds to {@code wrong} a line per subscription, and one for the hub, whose books are off. */
    static void check(Hub<?> hub, List<String> wrong) {
        long held = 0;
        for (Ledger<?> ledger : hub.liveLedgers()) { // attached, draining after the hub's close, or ended
            SubscriptionStats st = ledger.stats(hub.sequence(), 0, 0);
            held += st.depth();
            if (st.offered() != st.delivered() + st.dropped() + st.depth()) {
                wrong.add(hub + " " + ledger + ": " + st);
            }
        }
        HubStats h = hub.stats();
        if (h.offered() != h.delivered() + h.dropped() + held) {
            wrong.add(hub + ": offered " + h.offered() + " != delivered " + h.delivered() + " + dropped "
                    + h.dropped() + " + held " + held + "; " + h);
        }
    }
}
