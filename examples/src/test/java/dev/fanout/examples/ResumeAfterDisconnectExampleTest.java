package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ResumeAfterDisconnectExampleTest {

    @Test
    void resumeReplaysWhatWasMissed_thenTooLateResumeReportsAStartGap() throws Exception {
        Output out = Output.of(ResumeAfterDisconnectExample::main);

        long last = num(out.single("client: disconnected \\(SLOW\\), last sequence (?<last>\\d+)"), "last");
        Matcher r1 = out.single("resume 1: after (?<after>\\d+), startGap=(?<gap>\\w+), first=(?<first>\\d+) \\(replayed from the history\\)");
        assertEquals(last, num(r1, "after"));
        assertEquals("false", r1.group("gap"));
        assertEquals(last + 1, num(r1, "first"), "resumes right after the last sequence seen");
        Matcher read = out.single("resume 1: read (?<from>\\d+)\\.\\.(?<to>\\d+) in order, no gap, no duplicate: (?<ok>\\w+)");
        Output.assertFlag(read, "ok");
        assertEquals(99, num(read, "to") - num(read, "from"));

        long closedAt = num(out.single("client: closed at (?<at>\\d+), away until the hub is past \\d+"), "at");
        assertEquals(num(read, "to"), closedAt);
        Matcher r2 = out.single("resume 2: after (?<after>\\d+), startGap=true, first=(?<first>\\d+)"
                + " \\(the hub's latest; it was at (?<hub>\\d+)\\): take a snapshot");
        assertEquals(closedAt, num(r2, "after"));
        assertTrue(num(r2, "first") > closedAt + 256, "the history of 256 no longer reaches back: " + r2.group());
        assertTrue(num(r2, "first") >= num(r2, "hub"), "starts with the latest message: " + r2.group());
    }
}
