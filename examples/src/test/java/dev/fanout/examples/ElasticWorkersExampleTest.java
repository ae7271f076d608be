package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ElasticWorkersExampleTest {

    @Test
    void workersScaleUpInTheBurstAndRetireInTheSilence_eachDocumentHandledOnce() throws Exception {
        Output out = Output.of(ElasticWorkersExample::main, "3s");

        List<Matcher> samples = out.all("t=\\s*\\d+ms  (?<phase>trickle|burst|silence)\\s+workers (?<workers>\\d+)"
                + "  backlog\\s+\\d+  handled\\s+\\d+");
        assertEquals(15, samples.size(), "a sample every 200 ms");
        assertTrue(samples.stream().filter(m -> m.group("phase").equals("trickle")).allMatch(m -> num(m, "workers") == 1),
                "a trickle needs one worker");
        assertTrue(samples.stream().filter(m -> m.group("phase").equals("burst")).anyMatch(m -> num(m, "workers") >= 4),
                "the burst never scaled the workers up");
        assertEquals(1, num(samples.get(samples.size() - 1), "workers"), "workers did not retire to min in the silence");

        Matcher peak = out.single("peak workers=(?<peak>\\d+) workers at the end=(?<end>\\d+) \\(min 1\\)");
        assertTrue(num(peak, "peak") >= 4 && num(peak, "peak") <= 8, peak.group());
        assertEquals(1, num(peak, "end"));
        Matcher s = out.single("published=(?<published>\\d+) handled=(?<handled>\\d+) handled twice=(?<twice>\\d+)"
                + " timeouts=(?<timeouts>\\d+)");
        assertTrue(num(s, "published") > 50, s.group());
        assertEquals(num(s, "published"), num(s, "handled"), "every document handled");
        assertEquals(0, num(s, "twice"), "no document handled twice");
        assertEquals(0, num(s, "timeouts"));
    }
}
