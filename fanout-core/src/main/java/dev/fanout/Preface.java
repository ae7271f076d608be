package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a resuming subscription delivers before live messages: the replayed history, or the
 * latest message. Fixed before the subscription is attached, so the producer never sees it;
 * the index is taken by compare-and-set so that several elastic workers can share it.
 */
final class Preface<T> {
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Preface<?> NONE = new Preface(new Delivery[0]);
    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Preface.class, "next", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Delivery<T>[] deliveries;
    private volatile int next;

    Preface(Delivery<T>[] deliveries) {
        this.deliveries = deliveries;
    }

    @SuppressWarnings("unchecked")
    static <T> Preface<T> none() {
        return (Preface<T>) NONE;
    }

    /** Consumer side. @return the next replayed delivery, or null when none is left */
    Delivery<T> poll() {
        if (deliveries.length == 0) {
            return null; // most subscriptions: no volatile read of the shared empty preface per take
        }
        int i;
        do {
            i = next;
            if (i >= deliveries.length) {
                return null;
            }
        } while (!NEXT.compareAndSet(this, i, i + 1));
        Delivery<T> d = deliveries[i];
        deliveries[i] = null; // not kept once delivered
        return d;
    }

    /** Consumer side: hands up to {@code limit} replayed deliveries to {@code sink}. */
    int drain(Sink<T> sink, int limit) {
        int n = 0;
        Delivery<T> d;
        while (n < limit && (d = poll()) != null) {
            n++;
            sink.accept(d);
        }
        return n;
    }

    /** Consumer side: forgets the rest. @return how many were left */
    int discard() {
        int n = 0;
        while (poll() != null) {
            n++;
        }
        return n;
    }

    /** @return how many were replayed in all */
    int length() {
        return deliveries.length;
    }

    /** Any thread. @return how many are still to be delivered */
    int remaining() {
        return Math.max(0, deliveries.length - next);
    }
}
