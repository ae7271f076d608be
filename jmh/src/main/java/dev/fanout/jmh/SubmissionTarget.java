package dev.fanout.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.function.BiPredicate;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link SubmissionPublisher}: a buffer per subscriber (at most {@link FanoutScenario#CAPACITY}),
 * consumer tasks on the drain threads through {@link TaskQueue}. {@code offer} with a drop
 * handler loses the new item for a full subscriber (dropNewest's semantics); {@code submit}
 * blocks while any subscriber is full (slowProducer's).
 */
final class SubmissionTarget extends Target {
    private final TaskQueue executor = new TaskQueue();
    private final SubmissionPublisher<Long> publisher;
    private final boolean submit;
    private final BiPredicate<Flow.Subscriber<? super Long>, ? super Long> onDrop;
    private long dropped;

    SubmissionTarget(int subscribers, int workers, Blackhole hole, boolean submit) {
        super(subscribers, workers, false, hole);
        this.submit = submit;
        this.publisher = new SubmissionPublisher<>(executor, FanoutScenario.CAPACITY);
        this.onDrop = (subscriber, item) -> {
            ((Subscriber) subscriber).sink.drops++; // on the publishing thread
            dropped++;
            return false; // no retry: drop it
        };
        for (int i = 0; i < subscribers; i++) {
            publisher.subscribe(new Subscriber(sinks[i]));
        }
    }

    @Override
    void publish(Long message) {
        if (submit) {
            publisher.submit(message);
        } else {
            publisher.offer(message, onDrop);
        }
        published++;
    }

    @Override
    int sweep(int worker) {
        // tasks are not bound to subscribers: both drain threads take from one queue
        return executor.runSome(FanoutScenario.BATCH);
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    List<String> check() {
        if (submit) {
            return checkLossless();
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            if (sinks[i].count + sinks[i].drops != published) {
                problems.add("subscriber " + i + ": received " + sinks[i].count + " + dropped " + sinks[i].drops
                        + " != published " + published);
            }
        }
        return problems;
    }

    @Override
    public void close() {
        publisher.close();
    }

    private static final class Subscriber implements Flow.Subscriber<Long> {
        final Sink sink;

        Subscriber(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Long item) {
            sink.accept(item);
        }

        @Override
        public void onError(Throwable throwable) {
            throw new IllegalStateException(throwable);
        }

        @Override
        public void onComplete() {
        }
    }
}
