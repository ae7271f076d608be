package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SubmissionPublisherExampleTest {

    @Test
    void producerIsHeldBackByTheAudit_whichGetsEveryOrder() throws Exception {
        Output out = Output.of(SubmissionPublisherExample::main);

        Matcher lead = out.single("producer: submitted 300, at most (?<lead>\\d+) ahead of the audit \\(bound (?<bound>\\d+)\\)");
        assertEquals(SubmissionPublisherExample.bound(), num(lead, "bound"));
        assertTrue(num(lead, "lead") <= num(lead, "bound"), lead.group());
        out.hasLine("audit: 300 orders, in order: true, dropped 0");
        Matcher dash = out.single("dashboard: (?<reads>\\d+) reads, last order (?<last>\\d+)");
        assertEquals(300, num(dash, "last"), "latest-only ends on the last order");
        assertTrue(num(dash, "reads") >= 1 && num(dash, "reads") <= 300, dash.group());
    }
}
