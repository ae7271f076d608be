package dev.fanout.jmh;

import dev.fanout.StrategyType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a stalled subscriber costs the publish, on one thread: each operation publishes a message
 * to N subscribers and drains all of them but, when {@code stalled}, subscriber 0, whose buffer
 * stays full from then on (every publish evicts, is refused, replaces or, once, disconnects).
 * {@link StalledSubscriberBenchmark} asks the same with a publisher and two drain threads, where
 * on two cores the three threads' scheduling moves each figure by several times between
 * iterations; here only the instructions and lines of the strategy's full path count. Without a
 * stall the operation also drains subscriber 0, so the two figures are a publish to a full buffer
 * against an offer and a take.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OneThreadStalledBenchmark {

    /** The engine. */
    @Param
    public EngineType engine;

    /** The strategy of every subscriber, the stalled one included. */
    @Param({"DROP_OLDEST", "DROP_NEWEST", "LATEST_ONLY", "LATEST_PER_KEY", "DISCONNECT"})
    public StrategyType strategy;

    /** Whether subscriber 0 is never drained. */
    @Param({"false", "true"})
    public boolean stalled;

    /** N, the stalled subscriber included. */
    @Param({"16"})
    public int subscribers;

    private Target target;
    private long next;

    /**
     * Builds the subject and proves it delivers to every subscriber that drains.
     *
     * @param hole receives every delivered message
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole hole) {
        target = new FanoutTarget(engine, strategy, Duration.ofMillis(1), subscribers, 1, stalled, hole);
        target.probe();
    }

    /** Checks the subscribers' counts add up. */
    @TearDown(Level.Trial)
    public void tearDown() {
        target.finish();
    }

    /** @return the messages delivered by this operation's drain */
    @Benchmark
    public int publishAndDrain() {
        Target t = target;
        t.publish(Messages.get(next++));
        return t.sweep(0);
    }
}
