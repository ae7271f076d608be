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
 * Publish latency percentiles (JMH SampleTime of the publisher's call) of Fanout at N = 1 and
 * N = 4096, in the scenario of {@link FanoutBenchmark}: the drain threads run meanwhile.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanoutLatencyBenchmark extends FanoutScenario {
    /** The engine. */
    @Param
    public EngineType engine;

    /** The strategy of every subscriber. */
    @Param({"SLOW_PRODUCER", "DROP_OLDEST", "DROP_NEWEST", "LATEST_ONLY", "LATEST_PER_KEY", "DISCONNECT"})
    public StrategyType strategy;

    /** N. */
    @Param({"1", "4096"})
    public int subscribers;

    @Override
    Target newTarget(int workers, Blackhole hole) {
        return new FanoutTarget(engine, strategy, Duration.ofSeconds(1), subscribers, workers, false, hole);
    }
}
