package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SubscriptionFootprintExampleTest {

    @Test
    void bufferSlotsDominate_aLatestOnlySubscriptionIsSmallest() throws Exception {
        Output out = Output.of(SubscriptionFootprintExample::main, "2000");

        long small = bytes(out, "drop-newest", 64);
        long large = bytes(out, "drop-newest", 1024);
        long latest = bytes(out, "latest-only", 64);
        bytes(out, "drop-oldest", 64);
        bytes(out, "slow-producer", 64);
        bytes(out, "latest-per-key", 64);
        // 960 more slots: 4 bytes each with compressed references, 8 without
        assertTrue(large - small >= 960 * 3 && large - small <= 960 * 10, "1024 vs 64 slots: " + large + " vs " + small);
        assertTrue(latest > 0 && latest < small, "latest-only holds one slot: " + latest + " vs " + small);
    }

    private static long bytes(Output out, String strategy, int capacity) {
        return num(out.single(String.format("%-14s capacity %4d: (?<b>\\d+) bytes per subscription", strategy, capacity)), "b");
    }
}
