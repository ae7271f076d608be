package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StockTickerExampleTest {

    @Test
    void screensAtEverySpeedGetAboutOneQuotePerSymbolPerBatch_andEndOnTheLastPrices() throws Exception {
        Output out = Output.of(StockTickerExample::main, "1s");

        Matcher p = out.single("published=(?<published>\\d+) symbols=(?<symbols>\\d+)");
        assertTrue(num(p, "published") > 500, p.group());
        assertEquals(48, num(p, "symbols"));

        List<Matcher> batches = out.all("t=\\s*\\d+ms  screen\\s+(?<every>\\d+)ms:\\s+(?<ticks>\\d+) ticks -> batch of\\s+(?<quotes>\\d+)"
                + " quotes \\(\\s*(?<symbols>\\d+) symbols\\)  e\\.g\\. [A-Z]{4} \\d+\\.\\d+");
        assertTrue(batches.size() >= 3, "each screen redraws at least once");
        for (Matcher b : batches) { // a batch: what was pending (one per symbol) plus what came while draining
            assertTrue(num(b, "symbols") <= 48 && num(b, "symbols") <= num(b, "quotes"), b.group());
            assertTrue(num(b, "quotes") <= 64 && num(b, "quotes") <= num(b, "ticks"), b.group());
        }
        Matcher slowFirst = batches.stream().filter(b -> b.group("every").equals("1000")).findFirst().orElseThrow();
        assertTrue(num(slowFirst, "ticks") > 500, "the 1 s screen conflates hundreds of ticks into one batch: "
                + slowFirst.group());

        long[] superseded = new long[3];
        int i = 0;
        for (String every : new String[] {" 200ms", " 600ms", "1000ms"}) {
            Matcher s = out.single("screen " + every + ": redraws=(?<redraws>\\d+) largest batch=(?<largest>\\d+)"
                    + " superseded=(?<superseded>\\d+)"
                    + " matches the last prices: (?<match>true|false)");
            Output.assertFlag(s, "match");
            assertTrue(num(s, "largest") <= 64, s.group());
            superseded[i++] = num(s, "superseded");
        }
        assertTrue(superseded[0] < superseded[2], "the 1 s screen skips more ticks than the 200 ms one");
    }
}
