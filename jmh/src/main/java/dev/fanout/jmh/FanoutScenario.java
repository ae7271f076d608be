package dev.fanout.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The fan-out scenario every subject runs: an asymmetric JMH group of one publisher thread
 * ({@link #publish}) and two drain threads ({@link #drain}), each looping over its half of the
 * N subscribers with a batch drain, as a server's event loops would (never a thread per
 * subscriber). The drain thread count follows the group's thread split ({@code -tg 1,2}).
 *
 * <p>Figures: {@code publish} is the publisher's rate, the aux counter {@code deliveries} is the
 * number of messages the subscribers' handlers received per second, {@code drops} what the
 * subject reports it dropped per second.
 *
 * <p>Honesty: every delivery goes through a {@link Sink} into a Blackhole and is counted there;
 * the trial setup publishes a probe that must reach every subscriber, and the trial teardown
 * drains what is in flight and checks the sinks' counts against the subject's own counters
 * (and, for lossless subjects, against the number published). A mismatch fails the benchmark.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class FanoutScenario {
    /** Every subscriber's buffer (Fanout, the floor, SubmissionPublisher, Reactor) and the Disruptor's ring. */
    static final int CAPACITY = 1024;
    /** The most messages one drain call takes from one subscriber. */
    static final int BATCH = 256;

    private Target target;
    /**
     * Set while the publisher is inside a publish. At the end of an iteration JMH stops calling
     * the drain threads as soon as every thread has finished measuring; a publisher that is
     * then waiting for room (every lossless subject) would wait for ever. So once measurement
     * has stopped, the publisher publishes no more, and a drain thread returns only when the
     * publisher is not inside a publish: a Dekker handshake on two volatiles (this flag,
     * written before the publisher reads {@code stopMeasurement}, and {@code stopMeasurement},
     * written before a drain thread reads this flag). It costs every subject the same two
     * volatile accesses per publish.
     */
    private volatile boolean publishing;

    /**
     * @param workers the number of drain threads
     * @param hole    receives every delivered message
     * @return the subject, built from the subclass's parameters
     */
    abstract Target newTarget(int workers, Blackhole hole);

    /**
     * Builds the subject and proves it delivers to every subscriber.
     *
     * @param params the run's parameters (for the drain thread count)
     * @param hole   receives every delivered message
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params, Blackhole hole) {
        target = newTarget(drainThreads(params), hole);
        target.probe();
    }

    /** @return the number of threads running {@link #drain}, which may be changed with {@code -tg} */
    static int drainThreads(BenchmarkParams params) {
        int[] groups = params.getThreadGroups();
        int i = new java.util.ArrayList<>(params.getThreadGroupLabels()).indexOf("drain"); // JMH orders subgroups by name
        if (i < 0 || i >= groups.length || groups[i] < 1) {
            throw new IllegalStateException("no drain threads in " + params.getThreadGroupLabels()
                    + " " + java.util.Arrays.toString(groups));
        }
        return groups[i];
    }

    /** Drains what is in flight and checks that the counts add up. */
    @TearDown(Level.Trial)
    public void tearDown() {
        target.finish();
    }

    /**
     * The publisher: one message to every subscriber.
     *
     * @param counters the publisher's aux counters
     * @param control  tells when measurement has stopped
     */
    @Benchmark
    @Group("fanout")
    @GroupThreads(1)
    public void publish(PublishCounters counters, Control control) {
        publishing = true;
        try {
            if (!control.stopMeasurement) {
                Target t = target;
                t.publish(counters.nextMessage(t));
            }
        } finally {
            publishing = false;
        }
    }

    /**
     * A drain thread: one pass over its share of the subscribers; it yields the core after a
     * pass that found nothing, as every subject's consumer does here.
     *
     * @param thread  which drain thread this is
     * @param control tells when measurement has stopped
     */
    @Benchmark
    @Group("fanout")
    @GroupThreads(2)
    public void drain(ThreadParams thread, Control control) {
        int worker = thread.getSubgroupThreadIndex();
        if (target.sweep(worker) == 0) {
            Thread.yield();
        }
        if (control.stopMeasurement) {
            while (publishing) { // let a publisher waiting for room finish its last publish
                if (target.sweep(worker) == 0) {
                    Thread.yield();
                }
            }
        }
    }
}
