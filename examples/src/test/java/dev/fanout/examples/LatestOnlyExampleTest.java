package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LatestOnlyExampleTest {

    @Test
    void everyScreenEndsOnTheLastVersion_theSlowOneSkippingMore() throws Exception {
        Output out = Output.of(LatestOnlyExample::main, "1s");

        long published = num(out.single("published=(?<n>\\d+)"), "n");
        assertTrue(published >= 40, "published " + published);
        String totals = ": reads=(?<reads>\\d+) superseded=(?<superseded>\\d+) final version=(?<last>\\d+)"
                + " \\(the last published: (?<ok>true|false)\\)";
        Matcher fast = out.single("fast screen \\(20ms\\)" + totals);
        Matcher slow = out.single("slow screen \\(250ms\\)" + totals);
        for (Matcher m : new Matcher[] {fast, slow}) {
            Output.assertFlag(m, "ok");
            assertEquals(published, num(m, "last"), m.group());
            assertEquals(published, num(m, "reads") + num(m, "superseded"), "each version read or superseded: " + m.group());
        }
        assertTrue(num(slow, "superseded") > num(fast, "superseded"), "the slow screen skips more");
        assertTrue(num(slow, "reads") * 5 < published, "the slow screen read only a few versions: " + slow.group());

        // each line of the slow screen shows a newer version than the one before, skipping some
        var shown = out.all("slow screen \\(250ms\\): shows version (?<v>\\d+)( \\(skipped (?<skipped>\\d+)\\))?");
        assertEquals(num(slow, "reads"), shown.size());
        assertTrue(shown.stream().skip(1).anyMatch(m -> num(m, "skipped") > 0), "never skipped a version");
    }
}
