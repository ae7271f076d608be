package dev.fanout.jmh;

import java.util.List;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The floor: the least work that moves a message to N consumers through the queues Fanout's
 * queue engine is built on. One {@link SpscAtomicArrayQueue} per subscriber; the publisher
 * offers to each and yields while one is full (lossless, like {@code slowProducer} without the
 * parking, the counters, the sequence numbers and the result); the drain threads
 * {@code drain(consumer, batch)} each queue.
 */
final class FloorTarget extends Target {
    private final SpscAtomicArrayQueue<Long>[] queues;
    private final Consumer[] consumers;

    @SuppressWarnings("unchecked")
    FloorTarget(int subscribers, int workers, Blackhole hole) {
        super(subscribers, workers, false, hole);
        queues = (SpscAtomicArrayQueue<Long>[]) new SpscAtomicArrayQueue<?>[subscribers];
        consumers = new Consumer[subscribers];
        for (int i = 0; i < subscribers; i++) {
            queues[i] = new SpscAtomicArrayQueue<>(FanoutScenario.CAPACITY);
            consumers[i] = new Consumer(sinks[i]);
        }
    }

    @Override
    void publish(Long message) {
        for (SpscAtomicArrayQueue<Long> q : queues) {
            while (!q.offer(message)) {
                Thread.yield();
            }
        }
        published++;
    }

    @Override
    int sweep(int worker) {
        int n = 0;
        for (int i = from(worker), to = to(worker); i < to; i++) {
            n += queues[i].drain(consumers[i], FanoutScenario.BATCH);
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

    private record Consumer(Sink sink) implements MessagePassingQueue.Consumer<Long> {
        @Override
        public void accept(Long m) {
            sink.accept(m);
        }
    }
}
