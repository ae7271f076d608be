package dev.fanout.jmh;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

/** The peers, the floor among them, in the same scenario as {@link FanoutBenchmark}. */
public class PeerBenchmark extends FanoutScenario {
    /** The peer. */
    @Param
    public Peer peer;

    /** N. */
    @Param({"1", "16", "256", "4096"})
    public int subscribers;

    @Override
    Target newTarget(int workers, Blackhole hole) {
        return peer.newTarget(subscribers, workers, hole);
    }
}
