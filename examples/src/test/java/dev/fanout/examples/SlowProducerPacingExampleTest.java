package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SlowProducerPacingExampleTest {

    @Test
    void producerSlowsWithTheConsumerAndSpeedsUpAgain_losingNothing() throws Exception {
        Output out = Output.of(SlowProducerPacingExample::main, "3s");

        List<Matcher> samples = out.all("t=\\s*\\d+ms  phase (?<phase>\\d) \\(consumer\\s+\\d+/s\\)  pacer\\s+(?<rate>[\\d.]+)/s"
                + "  delay\\s+(?<delay>[\\d.]+) ms  depth\\s+\\d+/32  (?<trend>slower|faster|)");
        assertEquals(24, samples.size(), "eight samples per phase");
        assertTrue(samples.stream().anyMatch(m -> m.group("trend").equals("slower")), "the pacer never cut its rate");
        assertTrue(samples.stream().anyMatch(m -> m.group("trend").equals("faster")), "the pacer never raised its rate");
        for (Matcher m : samples) { // delay is what the rate means for the producer: 1/rate
            double product = Double.parseDouble(m.group("rate")) * Double.parseDouble(m.group("delay"));
            assertEquals(1000, product, 15, "rate x delay, both rounded: " + m.group());
        }

        long[] settled = new long[3];
        for (int p = 1; p <= 3; p++) {
            Matcher m = out.single("phase " + p + ": consumer (?<consumer>\\d+)/s, producer settled at (?<producer>\\d+)/s");
            settled[p - 1] = num(m, "producer");
        }
        assertTrue(settled[1] * 2 < settled[0], "phase 2 (consumer 40/s) not well below phase 1 (200/s): "
                + settled[1] + " vs " + settled[0]);
        assertTrue(settled[1] * 2 < settled[2], "phase 3 (200/s) did not recover from phase 2 (40/s): "
                + settled[2] + " vs " + settled[1]);
        assertTrue(settled[1] <= 80, "the producer did not come down to the slow consumer's pace: " + settled[1]);

        Matcher s = out.single("summary: published=(?<published>\\d+) consumed=(?<consumed>\\d+) gaps=(?<gaps>\\d+)"
                + " timeouts=(?<timeouts>\\d+) cuts=(?<cuts>\\d+) raises=(?<raises>\\d+)");
        assertTrue(num(s, "published") > 100, s.group());
        assertEquals(num(s, "published"), num(s, "consumed"), "lossless: every message consumed");
        assertEquals(0, num(s, "gaps"), "lossless: no sequence gaps");
        assertEquals(0, num(s, "timeouts"), "the pacer kept publish from waiting out its limit");
        assertTrue(num(s, "cuts") > 0 && num(s, "raises") > 0, s.group());
    }
}
