package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DisconnectExampleTest {

    @Test
    void stalledClientIsClosedSlow_theHealthyOneMissesNothing() throws Exception {
        Output out = Output.of(DisconnectExample::main, "1s");

        out.hasLine("stalled client: read 20 messages, now stops reading");
        out.hasLine("listener: a subscription closed: SLOW");
        // 20 read, 16 fill its buffer, the 37th finds it full
        out.hasLine("producer: message 37 found the stalled client full and disconnected it");
        out.hasLine("stalled client: disconnected (SLOW) after reading 20, last sequence 20; it may resume from there");

        Matcher hub = out.single("published=(?<published>\\d+) subscribers left=(?<left>\\d+) disconnects=(?<d>\\d+)");
        long published = num(hub, "published");
        assertEquals(1, num(hub, "left"), "only the healthy client stays attached");
        assertEquals(1, num(hub, "d"));
        out.hasLine("healthy client: read=" + published + " gaps=0");
        out.hasLine("stalled client: read=20 dropped.disconnected=17 close reason=SLOW"); // the 37th and the 16 held
    }
}
