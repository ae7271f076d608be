package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DropNewestExampleTest {

    @Test
    void slowConsumerKeepsWhatWasQueued_andTheProducerKnowsWhatItLost() throws Exception {
        Output out = Output.of(DropNewestExample::main, "1s");

        Matcher totals = out.single("published=(?<published>\\d+) seen=(?<seen>\\d+) dropped.newest=(?<dropped>\\d+)");
        long published = num(totals, "published");
        long dropped = num(totals, "dropped");
        assertTrue(published >= 20, totals.group());
        assertTrue(dropped > 0, "a consumer four times slower than the producer lost nothing: " + totals.group());
        assertEquals(published, num(totals, "seen") + dropped);

        out.hasLine("first seen=[1, 2, 3, 4]");
        Matcher list = out.single("dropped by the producer=\\[(?<list>[\\d, ]+)\\]");
        assertEquals(dropped, Arrays.stream(list.group("list").split(", ")).count(), "the producer's list and the counter agree");
        assertEquals(dropped, out.starting("producer: dropped ").size());
        Matcher check = out.single("seen and dropped overlap: (?<overlap>\\w+), together all published: (?<all>\\w+)");
        assertEquals("false", check.group("overlap"));
        Output.assertFlag(check, "all");
    }
}
