package dev.fanout;

import org.jctools.queues.MessagePassingQueue;

/**
 * Receives one batch on the consumer's thread and counts it: how many were delivered, the last
 * sequence, and how many were discarded because the subscription was closed while the batch
 * ran (so a handler never receives a message taken after {@code close()} returned, bar the
 * one it may be handling at that moment). Reused by one consumer from batch to batch.
 */
abstract class Sink<T> implements MessagePassingQueue.Consumer<Delivery<T>> {
    private final Ledger<T> ledger;
    /** Deliveries handed over in this batch. */
    int delivered;
    /** Deliveries taken but discarded in this batch: the subscription had been closed. */
    int discarded;
    /** The sequence of the last one handed over. */
    long last;

    Sink(Ledger<T> ledger) {
        this.ledger = ledger;
    }

    final void reset() {
        delivered = 0;
        discarded = 0;
    }

    /** @return delivered and discarded together: what the batch took from the lane */
    final int taken() {
        return delivered + discarded;
    }

    @Override
    public final void accept(Delivery<T> d) {
        accept(d.sequence(), d.message());
    }

    /** Takes one message: hands it on, or discards it when the subscription has been closed. */
    final void accept(long sequence, T message) {
        if (ledger.isClosed()) {
            discarded++;
            return;
        }
        delivered++;
        last = sequence;
        handle(sequence, message);
    }

    /** Hands one message to its receiver. */
    abstract void handle(long sequence, T message);
}
