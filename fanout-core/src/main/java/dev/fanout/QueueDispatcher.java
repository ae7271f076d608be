package dev.fanout;

import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * The queue engine: a bounded buffer per subscriber. A publish offers the message to each open
 * subscriber in turn and applies its strategy to a full buffer; lossless subscribers that were
 * full are waited for afterwards, each at most its own limit, all counted from the same instant
 * so that their waits overlap. Called by the hub with publishers serialised.
 */
final class QueueDispatcher<T> implements Dispatcher<T> {
    private final Hub<T> hub;
    /** The lossless subscribers found full by the publish under way; publisher-owned, reused. */
    private AbstractSubscription<T>[] full = AbstractSubscription.none();
    /** The message of the publish under way, as the buffers take it; publisher-owned, reused. */
    private final Offer<T> offer = new Offer<>();
    /**
     * Publisher-owned: the ledgers and buffers of the subscriber array {@link #viewOf}, in its
     * order. A publish reads them in order instead of going from each subscription to its
     * ledger and from its lane to its buffer: two cache lines fewer per subscriber. Built again
     * when the hub hands over another array (the hub's list is copied on every change). Keyed
     * by the array itself, not the list's version: a publish may read a version and then a
     * newer array, and a view keyed by that version could offer to the older array's
     * subscribers. The array is held weakly: a subscription that ends and leaves the hub's
     * list becomes unreachable at once, as without the view (its ledger and buffer, which do
     * not refer to it, are let go at the next publish).
     */
    private WeakReference<AbstractSubscription<T>[]> viewOf = new WeakReference<>(AbstractSubscription.none());
    private Ledger<T>[] ledgers = newLedgers(0);
    private Buffer<T>[] buffers = newBuffers(0);

    QueueDispatcher(Hub<T> hub) {
        this.hub = hub;
    }

    @Override
    public Lane<T> newLane(Strategy strategy, Overflow overflow, int capacity, boolean manyConsumers, long from) {
        return new QueueLane<>(strategy.newBuffer(overflow, capacity, manyConsumers));
    }

    @Override
    public int capacity(int asked) {
        return asked;
    }

    @Override
    public void fanOut(long sequence, T message, Delivery<T> d, AbstractSubscription<T>[] subs, int version,
                       Tally tally) {
        if (subs != viewOf.get()) {
            view(subs);
        }
        Offer<T> o = offer;
        o.set(sequence, message, d);
        try {
            fanOut(o, subs, tally);
        } finally {
            o.clear();
        }
    }

    private void view(AbstractSubscription<T>[] subs) {
        Ledger<T>[] l = newLedgers(subs.length);
        Buffer<T>[] b = newBuffers(subs.length);
        for (int i = 0; i < subs.length; i++) {
            l[i] = subs[i].ledger;
            b[i] = ((QueueLane<T>) l[i].lane).buffer;
        }
        ledgers = l;
        buffers = b;
        viewOf = new WeakReference<>(subs);
    }

    @SuppressWarnings("unchecked")
    private static <T> Ledger<T>[] newLedgers(int n) {
        return (Ledger<T>[]) new Ledger<?>[n];
    }

    @SuppressWarnings("unchecked")
    private static <T> Buffer<T>[] newBuffers(int n) {
        return (Buffer<T>[]) new Buffer<?>[n];
    }

    /**
     * The loop a publish runs per subscriber. An accepted offer, the common case, costs the
     * ledger's state, the offered count and the buffer's offer; every other outcome is settled
     * in {@link #settle}, out of the loop, so that the loop stays small enough to compile well.
     */
    private void fanOut(Offer<T> o, AbstractSubscription<T>[] subs, Tally tally) {
        Ledger<T>[] l = ledgers;
        Buffer<T>[] b = buffers;
        int fullCount = 0;
        for (int i = 0; i < l.length; i++) {
            Ledger<T> ledger = l[i];
            if (ledger.isClosed()) {
                offeredClosed(subs[i], tally);
                continue; // otherwise ended by its own close: it is offered nothing more
            }
            // a draining one (the hub closed) still takes a publish that raced the close on a
            // single-publisher hub; if it ends meanwhile, the message counts as dropped CLOSED
            // with what else it held
            tally.subscribers++;
            Buffer<T> buffer = b[i];
            buffer.countOffer(ledger.producer);
            int outcome = buffer.offer(o);
            if (outcome == Buffer.ACCEPTED) {
                tally.accepted++;
            } else if (settle(subs[i], outcome, o.sequence, tally)) {
                if (fullCount == full.length) {
                    full = java.util.Arrays.copyOf(full, Math.max(4, subs.length));
                }
                full[fullCount++] = subs[i];
            }
        }
        if (fullCount > 0) {
            awaitRoom(o, fullCount, tally);
        }
    }

    /**
     * A subscription found ended: after the hub's close, a publish that raced a single-publisher
     * hub's close, after this subscriber had drained and ended, counts as offered and dropped
     * CLOSED, as the Hub Javadoc says.
     */
    private void offeredClosed(AbstractSubscription<T> s, Tally tally) {
        Ledger<T> ledger = s.ledger;
        if (ledger.reason().orElse(null) == CloseReason.HUB_CLOSED) {
            tally.subscribers++;
            ledger.producer.addFlow(1);
            drop(s, tally, DropCause.CLOSED);
        }
    }

    /**
     * Applies {@code s}'s strategy to an offer its buffer did not simply accept.
     *
     * @return true when the subscriber is lossless and full: the publisher waits for it
     */
    private boolean settle(AbstractSubscription<T> s, int outcome, long sequence, Tally tally) {
        QueueLane<T> lane = (QueueLane<T>) s.ledger.lane;
        if ((outcome & Buffer.KEY_ERROR) != 0) {
            hub.handlerError(s, sequence, ((LatestPerKeyBuffer<T>) lane.buffer).takeKeyError());
            outcome &= ~Buffer.KEY_ERROR;
        }
        switch (outcome) {
            case Buffer.ACCEPTED -> tally.accepted++;
            case Buffer.ACCEPTED_EVICTED -> {
                tally.accepted++;
                drop(s, tally, DropCause.OLDEST);
            }
            case Buffer.ACCEPTED_SUPERSEDED -> {
                tally.accepted++;
                drop(s, tally, DropCause.SUPERSEDED);
            }
            default -> {
                lane.full();
                switch (s.ledger.strategy.onFull) {
                    case DROP -> drop(s, tally, DropCause.NEWEST);
                    case DISCONNECT -> {
                        drop(s, tally, DropCause.DISCONNECTED);
                        s.close(CloseReason.SLOW);
                    }
                    default -> {
                        return true; // WAIT: lossless; a buffer that is never full never gets here
                    }
                }
            }
        }
        return false;
    }

    /** The lossless subscribers found full: the waits count from one instant, so several cost the longest, not the sum. */
    private void awaitRoom(Offer<T> o, int fullCount, Tally tally) {
        long start = System.nanoTime();
        for (int i = 0; i < fullCount; i++) {
            awaitRoom(full[i], o, start, tally);
            full[i] = null;
        }
    }

    private void drop(AbstractSubscription<T> s, Tally tally, DropCause cause) {
        tally.drop(cause);
        s.ledger.producer.drop(cause, 1);
        hub.listenerOnDrop(s, cause, 1);
    }

    /**
     * Parks the publisher until {@code d} fits in {@code s}, its wait limit passes, it or the hub
     * closes, or the publishing thread is interrupted; counts the outcome.
     */
    private void awaitRoom(AbstractSubscription<T> s, Offer<T> d, long start, Tally tally) {
        Ledger<T> ledger = s.ledger;
        QueueLane<T> lane = (QueueLane<T>) ledger.lane;
        ProducerBackoff backoff = new ProducerBackoff(start, s.maxWaitNanos());
        Thread me = Thread.currentThread();
        while (true) {
            if (!ledger.isOpen() || hub.isClosed()) {
                drop(s, tally, DropCause.CLOSED);
                return;
            }
            if (lane.buffer.offer(d) == Buffer.ACCEPTED) {
                break;
            }
            if (backoff.expired()) {
                drop(s, tally, DropCause.TIMEOUT);
                return;
            }
            lane.producerWaiter = me;
            VarHandle.fullFence(); // the announcement is visible before the last look
            boolean room = ledger.isOpen() && !hub.isClosed() && lane.buffer.offer(d) == Buffer.ACCEPTED;
            if (room) {
                lane.producerWaiter = null;
                break;
            }
            if (ledger.isOpen() && !hub.isClosed()) {
                backoff.park(lane);
            }
            lane.producerWaiter = null;
        }
        tally.accepted++;
        // the consumer may have parked while the buffer was full: it is signalled with the others
    }

    @Override
    public void wake(AbstractSubscription<T>[] subs) {
        for (AbstractSubscription<T> s : subs) {
            s.signal();
        }
    }

    @Override
    public double fullestLossless(AbstractSubscription<T>[] subs) {
        double fill = 0;
        for (AbstractSubscription<T> s : subs) {
            Ledger<T> ledger = s.ledger;
            if (ledger.strategy.lossless() && ledger.isOpen()) {
                Lane<T> lane = ledger.lane;
                fill = Math.max(fill, (double) lane.held() / lane.capacity());
            }
        }
        return fill;
    }

    @Override
    public Thread waitingPublisher(AbstractSubscription<T>[] subs) {
        for (AbstractSubscription<T> s : subs) {
            Thread p = ((QueueLane<T>) s.ledger.lane).producerWaiter;
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    @Override
    public void releasePublisher(AbstractSubscription<T>[] subs) {
        for (AbstractSubscription<T> s : subs) {
            Thread p = ((QueueLane<T>) s.ledger.lane).producerWaiter;
            if (p != null) {
                java.util.concurrent.locks.LockSupport.unpark(p); // it sees the hub closed
            }
        }
    }

    @Override
    public void hubClosing(AbstractSubscription<T>[] subs) {
    }
}
