package dev.fanout.jmh;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Reactor's multicast sink. Each subscriber is {@code asFlux().publishOn(scheduler, CAPACITY)}:
 * a queue of {@link FanoutScenario#CAPACITY} per subscriber drained on the drain threads (the
 * scheduler wraps {@link TaskQueue}), which is how Reactor moves delivery off the emitting thread.
 * {@code onBackpressureBuffer}: the sink's shared buffer and the slowest subscriber's demand pace
 * the producer, who retries {@code FAIL_OVERFLOW} (lossless, slowProducer's semantics).
 * {@code directBestEffort}: a subscriber without demand misses the item (dropNewest's); Reactor
 * does not count those drops, so they are not reported.
 */
final class ReactorTarget extends Target {
    private final TaskQueue executor = new TaskQueue();
    private final Scheduler scheduler = Schedulers.fromExecutor(executor);
    private final Sinks.Many<Long> sink;
    private final boolean bestEffort;
    private long overflows;

    ReactorTarget(int subscribers, int workers, Blackhole hole, boolean bestEffort) {
        super(subscribers, workers, false, hole);
        this.bestEffort = bestEffort;
        this.sink = bestEffort
                ? Sinks.many().multicast().directBestEffort()
                : Sinks.many().multicast().onBackpressureBuffer(FanoutScenario.CAPACITY, false);
        for (int i = 0; i < subscribers; i++) {
            sink.asFlux().publishOn(scheduler, FanoutScenario.CAPACITY).subscribe(new Subscriber(sinks[i]));
        }
    }

    @Override
    void publish(Long message) {
        Sinks.EmitResult r;
        while ((r = sink.tryEmitNext(message)) == Sinks.EmitResult.FAIL_OVERFLOW) {
            if (bestEffort) {
                overflows++; // no subscriber had demand: the item went nowhere
                break;
            }
            Thread.yield();
        }
        if (r.isFailure() && r != Sinks.EmitResult.FAIL_OVERFLOW) {
            throw new IllegalStateException("tryEmitNext: " + r);
        }
        published++;
    }

    @Override
    int sweep(int worker) {
        return executor.runSome(FanoutScenario.BATCH);
    }

    @Override
    public long dropped() {
        return overflows * subscribers; // only the items no subscriber took; per-subscriber misses are not counted by Reactor
    }

    @Override
    List<String> check() {
        if (!bestEffort) {
            return checkLossless();
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            if (sinks[i].count > published) {
                problems.add("subscriber " + i + " received " + sinks[i].count + " of " + published);
            }
        }
        return problems;
    }

    @Override
    public void close() {
        sink.tryEmitComplete();
        scheduler.dispose();
    }

    private static final class Subscriber implements CoreSubscriber<Long> {
        private final Sink sink;

        Subscriber(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Long item) {
            sink.accept(item);
        }

        @Override
        public void onError(Throwable t) {
            throw new IllegalStateException(t);
        }

        @Override
        public void onComplete() {
        }
    }
}
