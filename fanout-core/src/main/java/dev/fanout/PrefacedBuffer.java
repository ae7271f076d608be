package dev.fanout;

import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MessagePassingQueue;

/**
 * A subscription's buffer with replayed messages (history or the latest message) in front:
 * consumers take the preface first, then the live buffer. The preface is fixed before the
 * subscription is attached, so the producer never sees it; an atomic index lets several
 * elastic workers share it.
 */
final class PrefacedBuffer<T> extends Buffer<T> {
    private final Buffer<T> live;
    private final Delivery<T>[] preface;
    private final AtomicInteger next = new AtomicInteger();

    PrefacedBuffer(Buffer<T> live, Delivery<T>[] preface) {
        this.live = live;
        this.preface = preface;
    }

    private Delivery<T> pollPreface() {
        int i;
        do {
            i = next.get();
            if (i >= preface.length) {
                return null;
            }
        } while (!next.compareAndSet(i, i + 1));
        Delivery<T> d = preface[i];
        preface[i] = null; // not kept once delivered
        return d;
    }

    private int prefaceLeft() {
        return Math.max(0, preface.length - next.get());
    }

    @Override
    int offer(Delivery<T> d) {
        return live.offer(d);
    }

    @Override
    Delivery<T> poll() {
        Delivery<T> d = pollPreface();
        return d != null ? d : live.poll();
    }

    @Override
    int drain(MessagePassingQueue.Consumer<Delivery<T>> sink, int limit) {
        int n = 0;
        Delivery<T> d;
        while (n < limit && (d = pollPreface()) != null) {
            n++;
            sink.accept(d);
        }
        return n < limit ? n + live.drain(sink, limit - n) : n;
    }

    /** Discards the preface and lets the live buffer discard its own (a closed ring cursor no longer polls). */
    @Override
    int discard() {
        int n = 0;
        while (pollPreface() != null) {
            n++;
        }
        return n + live.discard();
    }

    @Override
    int size() {
        return prefaceLeft() + live.size();
    }

    @Override
    boolean isEmpty() {
        return prefaceLeft() == 0 && live.isEmpty();
    }

    @Override
    int capacity() {
        return live.capacity();
    }
}
