package dev.fanout.jmh;

import dev.fanout.StrategyType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One of N subscribers never drains (a client that stopped reading): the others' delivery rate
 * (aux {@code deliveries}) and the publish latency for each strategy. Under the lossy strategies
 * the stalled subscriber must cost the others nothing; under {@code SLOW_PRODUCER} every publish
 * waits out the stalled subscriber's {@code maxWait} (1 ms here) and then counts a TIMEOUT, so the
 * producer's rate is about 1 / maxWait: the figure that says not to give a client that can stall
 * a lossless strategy.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StalledSubscriberBenchmark extends FanoutScenario {
    /** The engine. */
    @Param
    public EngineType engine;

    /** The strategy of every subscriber, the stalled one included. */
    @Param({"SLOW_PRODUCER", "DROP_OLDEST", "DROP_NEWEST", "LATEST_ONLY", "LATEST_PER_KEY", "DISCONNECT"})
    public StrategyType strategy;

    /** N, the stalled subscriber included. */
    @Param({"16"})
    public int subscribers;

    @Override
    Target newTarget(int workers, Blackhole hole) {
        return new FanoutTarget(engine, strategy, Duration.ofMillis(1), subscribers, workers, true, hole);
    }
}
