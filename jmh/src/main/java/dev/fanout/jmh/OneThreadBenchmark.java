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
 * The work of one message, publish and delivery to N subscribers, on one thread: each operation
 * publishes a message and drains every subscriber once. No line moves between cores and no
 * thread waits, so the figure is the instructions and cache footprint of each subject alone;
 * set beside {@link FanoutBenchmark}'s, it tells what is the subject's own cost and what comes
 * from the threads exchanging cache lines.
 *
 * <p>Lossless subjects only ({@code slowProducer} for Fanout), with buffers of 1024: a buffer
 * never holds more than one message, so no publish waits. The teardown checks every subscriber
 * received every message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OneThreadBenchmark {

    /** The subject: the floor, Fanout's two engines, the raw Disruptor. */
    public enum Subject {
        JCTOOLS_FLOOR, QUEUES, RING, DISRUPTOR;

        Target newTarget(int subscribers, Blackhole hole) {
            return switch (this) {
                case JCTOOLS_FLOOR -> Peer.JCTOOLS_FLOOR.newTarget(subscribers, 1, hole);
                case DISRUPTOR -> Peer.DISRUPTOR.newTarget(subscribers, 1, hole);
                case QUEUES -> new FanoutTarget(EngineType.QUEUES, StrategyType.SLOW_PRODUCER, Duration.ofSeconds(1),
                        subscribers, 1, false, hole);
                case RING -> new FanoutTarget(EngineType.RING, StrategyType.SLOW_PRODUCER, Duration.ofSeconds(1),
                        subscribers, 1, false, hole);
            };
        }
    }

    @Param
    public Subject subject;

    @Param({"1", "16", "256"})
    public int subscribers;

    private Target target;
    private long next;

    /**
     * Builds the subject and proves it delivers to every subscriber.
     *
     * @param hole receives every delivered message
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole hole) {
        target = subject.newTarget(subscribers, hole);
        target.probe();
    }

    /** Checks that every subscriber received every message. */
    @TearDown(Level.Trial)
    public void tearDown() {
        target.finish();
    }

    /** @return the messages delivered by this operation's drain, N when all went well */
    @Benchmark
    public int publishAndDrain() {
        Target t = target;
        t.publish(Messages.get(next++));
        return t.sweep(0);
    }
}
