package dev.fanout.leaderboard.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long S = 1_000_000_000L;

    @Test
    void steadyLine_saysPhaseTimesConnectionsRateAndP99s() {
        Progress p = new Progress(Progress.Phase.STEADY, 42 * S + 300_000_000L, 18 * S - 200_000_000L, 9_998, 10_000,
                1, 1, 51_230.4, 4_213, 3_897, 5.0, List.of(9_998L), Optional.of(new Progress.Games(4_200, 4_199, 1)));
        assertEquals("[steady ] 0:42 elapsed, 0:18 left | open 9,998/10,000, failed 1, dropped 1 | 51,230 events/s"
                + " | p99 4.21 ms (last 5 s: 3.90 ms) | server streams 9,998 | games 4,200 sent, 4,199 acked, 1 error",
                p.line());
    }

    @Test
    void rampLine_beforeAnyEvent_showsDashes_andEveryTarget() {
        Progress p = new Progress(Progress.Phase.RAMP, 2 * S, 95 * S, 2_000, 100_000, 0, 0, 0, -1, -1, 1.0,
                List.of(1_000L, -1L), Optional.empty());
        assertEquals("[ramp   ] 0:02 elapsed, 1:35 left | open 2,000/100,000, failed 0, dropped 0 | 0 events/s"
                + " | p99 - (last 1 s: -) | server streams 1,000, ?", p.line());
    }

    @Test
    void settleLine_givesTheMostItMayStillTake_neverANegativeTime() {
        Progress p = new Progress(Progress.Phase.SETTLE, 3_725 * S, -2 * S, 300, 300, 0, 0, 12.0, 1_500, 900, 1.0,
                List.of(300L), Optional.empty());
        assertEquals("[settle ] 1:02:05 elapsed, up to 0:00 left | open 300/300, failed 0, dropped 0 | 12 events/s"
                + " | p99 1.50 ms (last 1 s: 0.90 ms) | server streams 300", p.line());
    }

    @Test
    void warmupLabel_fitsTheColumn() {
        Progress p = new Progress(Progress.Phase.WARMUP, 0, S, 1, 1, 0, 0, 0, -1, -1, 1.0, List.of(1L), Optional.empty());
        assertEquals("[warm-up] 0:00 elapsed, 0:01 left", p.line().substring(0, "[warm-up] 0:00 elapsed, 0:01 left".length()));
    }
}
