package dev.fanout.jmh;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Raw Disruptor multicast: one single-producer ring, one {@link EventPoller} per subscriber,
 * each poller's sequence gating the producer (lossless: a full ring holds the producer back
 * until the slowest subscriber moves on).
 *
 * <p>Why pollers and not {@code BatchEventProcessor}s: a processor owns a thread for its whole
 * life, so N processors need N threads; the scenario gives every subject the same few drain
 * threads, which only a poller (consumer-driven, like {@code Subscription.drain}) fits. The
 * ring's wait strategy is never used by pollers; {@link YieldingWaitStrategy} is chosen because
 * its publish-side signal is free (a blocking strategy would take a lock on every publish).
 */
final class DisruptorTarget extends Target {
    private final RingBuffer<Event> ring;
    private final EventPoller<Event>[] pollers;
    private final Handler[] handlers;

    @SuppressWarnings("unchecked")
    DisruptorTarget(int subscribers, int workers, Blackhole hole) {
        super(subscribers, workers, false, hole);
        ring = RingBuffer.createSingleProducer(Event::new, FanoutScenario.CAPACITY, new YieldingWaitStrategy());
        pollers = (EventPoller<Event>[]) new EventPoller<?>[subscribers];
        handlers = new Handler[subscribers];
        for (int i = 0; i < subscribers; i++) {
            pollers[i] = ring.newPoller();
            ring.addGatingSequences(pollers[i].getSequence());
            handlers[i] = new Handler(sinks[i]);
        }
    }

    @Override
    void publish(Long message) {
        long seq = ring.next(); // waits (parkNanos(1) loop) while the slowest poller is a ring behind
        ring.get(seq).value = message;
        ring.publish(seq);
        published++;
    }

    @Override
    int sweep(int worker) {
        int n = 0;
        try {
            for (int i = from(worker), to = to(worker); i < to; i++) {
                Handler h = handlers[i];
                h.taken = 0;
                pollers[i].poll(h);
                n += h.taken;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    List<String> check() {
        return checkLossless();
    }

    @Override
    public void close() {
    }

    static final class Event {
        Long value;
    }

    private static final class Handler implements EventPoller.Handler<Event> {
        private final Sink sink;
        int taken;

        Handler(Sink sink) {
            this.sink = sink;
        }

        @Override
        public boolean onEvent(Event event, long sequence, boolean endOfBatch) {
            sink.accept(event.value);
            return ++taken < FanoutScenario.BATCH;
        }
    }
}
