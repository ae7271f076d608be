package dev.fanout.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

/** Publish latency percentiles of the peers, in the scenario of {@link FanoutLatencyBenchmark}. */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeerLatencyBenchmark extends FanoutScenario {
    /** The peer. */
    @Param
    public Peer peer;

    /** N. */
    @Param({"1", "4096"})
    public int subscribers;

    @Override
    Target newTarget(int workers, Blackhole hole) {
        return peer.newTarget(subscribers, workers, hole);
    }
}
