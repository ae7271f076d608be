package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ReactorFluxExampleTest {

    @Test
    void losslessFluxGetsEverything_latestOnlyFluxEndsOnTheLastPrice() throws Exception {
        Output out = Output.of(ReactorFluxExample::main);

        out.hasLine("published=500");
        out.hasLine("audit flux: 500 prices, in order: true");
        Matcher chart = out.single("chart flux: (?<got>\\d+) prices, superseded (?<superseded>\\d+), ends on the last price: true");
        assertEquals(500, num(chart, "got") + num(chart, "superseded"), "each price delivered or superseded");
    }
}
