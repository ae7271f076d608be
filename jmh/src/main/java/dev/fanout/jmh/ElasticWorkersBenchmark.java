package dev.fanout.jmh;

import dev.fanout.DeliveryHandler;
import dev.fanout.Hub;
import dev.fanout.StrategyType;
import dev.fanout.Subscription;
import dev.fanout.SubscriptionStats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A slow per-message push handler: {@code ELASTIC_WORKERS} (one to four workers, the enum the
 * contract tests use) against {@code SLOW_PRODUCER} as a push subscription, which runs its
 * handler on a single worker at a time. Both are lossless, so the publisher's rate is the rate at
 * which the handler gets through messages. Workers are the hub's default virtual threads.
 *
 * <p>{@link Work#IO}: the handler waits 100 us (parks, as a call to a remote service would),
 * where more workers help on any core count; {@link Work#CPU}: it computes for some 20 us, where
 * extra workers can only help up to the free cores (here: two cores, one of them publishing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class ElasticWorkersBenchmark implements Counted {

    /** What the handler does with each message. */
    public enum Work {
        /** Parks 100 us. */
        IO,
        /** Burns about 20 us of CPU. */
        CPU
    }

    /** SLOW_PRODUCER (one worker) or ELASTIC_WORKERS (up to four). */
    @Param({"SLOW_PRODUCER", "ELASTIC_WORKERS"})
    public StrategyType strategy;

    /** The handler's work. */
    @Param
    public Work work;

    private Hub<Long> hub;
    private Subscription<Long> subscription;
    private final LongAdder handled = new LongAdder();
    private long published;
    private long next;

    /**
     * Attaches the push subscription and proves it delivers.
     *
     * @param hole receives every message
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole hole) {
        if (strategy != StrategyType.SLOW_PRODUCER && strategy != StrategyType.ELASTIC_WORKERS) {
            throw new IllegalArgumentException("strategy: " + strategy + " (expected: SLOW_PRODUCER or ELASTIC_WORKERS)");
        }
        Work w = work;
        DeliveryHandler<Long> handler = (seq, m) -> {
            if (w == Work.IO) {
                LockSupport.parkNanos(100_000);
            } else {
                Blackhole.consumeCPU(8_000);
            }
            hole.consume(m);
            handled.increment();
        };
        hub = Hub.<Long>builder().name("jmh-elastic").capacity(FanoutScenario.CAPACITY).singlePublisher().build();
        subscription = hub.subscribe(strategy.overflow(Duration.ofSeconds(10)), handler);
        publish();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handled.sum() < 1) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the probe message never reached the handler");
            }
            Thread.onSpinWait();
        }
    }

    /** Lets the workers finish and checks that every published message was handled once. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        hub.close();
        if (!hub.awaitTermination(Duration.ofSeconds(30))) {
            throw new IllegalStateException("workers did not finish within 30 s");
        }
        SubscriptionStats st = subscription.stats();
        if (handled.sum() != published || st.delivered() != published || st.dropped() != 0) {
            throw new IllegalStateException("published " + published + ", handled " + handled.sum() + ", " + st);
        }
    }

    /**
     * Publishes one message; parks while the subscription is full.
     *
     * @param counters the publisher's aux counters
     */
    @Benchmark
    public void publish(PublishCounters counters) {
        counters.nextMessage(this);
        publish();
    }

    private void publish() {
        if (hub.publishAndReport(Messages.get(next++)).allAccepted()) {
            published++;
        } else {
            throw new IllegalStateException("a lossless subscriber refused a message");
        }
    }

    @Override
    public long delivered() {
        return handled.sum();
    }

    @Override
    public long dropped() {
        return subscription.stats().dropped();
    }
}
