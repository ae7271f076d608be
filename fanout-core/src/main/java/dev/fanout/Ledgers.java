package dev.fanout;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledgers of a hub's subscriptions, for the hub's statistics: the sum over every ledger
 * whose subscription is still reachable, plus the folded totals of those that are not.
 *
 * <p>Why not fold a subscription's counts when it ends: its consumer may still be in the middle
 * of a batch, and a publish in flight may still offer to it; neither tells anyone when it is
 * done (that would need a fence per batch or per publish). Once the subscription object is
 * unreachable, no thread can touch its counters any more, so its ledger is final: it is folded
 * then, found through a {@link ReferenceQueue} polled when subscriptions are registered and
 * when statistics are taken (no thread of its own). Until then the live ledger is summed, so
 * the totals are the same before and after the fold.
 */
final class Ledgers {
    /** Totals layout: the six drop causes, then offered, then delivered. */
    static final int OFFERED = Counts.DROP_CAUSES;
    static final int DELIVERED = Counts.DROP_CAUSES + 1;
    static final int WIDTH = Counts.DROP_CAUSES + 2;

    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final Set<Entry> entries = ConcurrentHashMap.newKeySet();
    /** Guarded by this: the totals of the ledgers already folded. */
    private final long[] retired = new long[WIDTH];

    private static final class Entry extends PhantomReference<Object> {
        final Ledger<?> ledger;

        Entry(Object subscription, Ledger<?> ledger, ReferenceQueue<Object> queue) {
            super(subscription, queue);
            this.ledger = ledger;
        }
    }

    /** Any thread: keeps {@code ledger} in the totals while {@code subscription} is reachable. */
    void register(Object subscription, Ledger<?> ledger) {
        entries.add(new Entry(subscription, ledger, queue));
        fold();
    }

    /** Folds the ledgers of subscriptions that became unreachable. */
    private synchronized void fold() {
        Entry e;
        while ((e = (Entry) queue.poll()) != null) {
            if (entries.remove(e)) {
                e.ledger.addTotals(retired);
            }
            e.clear();
        }
    }

    /** For tests and diagnostics: the ledgers of the subscriptions still reachable. */
    List<Ledger<?>> live() {
        List<Ledger<?>> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(e.ledger);
        }
        return out;
    }

    /** Any thread. @return the totals over every subscription the hub ever had, in the layout above */
    synchronized long[] totals() {
        fold();
        long[] t = retired.clone();
        for (Entry e : entries) {
            e.ledger.addTotals(t);
        }
        return t;
    }
}
