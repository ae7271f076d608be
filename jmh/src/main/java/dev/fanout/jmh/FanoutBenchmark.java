package dev.fanout.jmh;

import dev.fanout.StrategyType;
import java.time.Duration;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Fan-out throughput of Fanout for every engine x pull strategy x subscriber count. The
 * push-only {@code ELASTIC_WORKERS} is measured by {@link ElasticWorkersBenchmark}.
 */
public class FanoutBenchmark extends FanoutScenario {
    /** The engine. */
    @Param
    public EngineType engine;

    /** The strategy of every subscriber. */
    @Param({"SLOW_PRODUCER", "DROP_OLDEST", "DROP_NEWEST", "LATEST_ONLY", "LATEST_PER_KEY", "DISCONNECT"})
    public StrategyType strategy;

    /** N. */
    @Param({"1", "16", "256", "4096"})
    public int subscribers;

    @Override
    Target newTarget(int workers, Blackhole hole) {
        return new FanoutTarget(engine, strategy, Duration.ofSeconds(1), subscribers, workers, false, hole);
    }
}
