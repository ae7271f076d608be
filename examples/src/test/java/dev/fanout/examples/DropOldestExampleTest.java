package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DropOldestExampleTest {

    @Test
    void slowConsumerSeesTheNewestMessages_andTheDropsAreCounted() throws Exception {
        Output out = Output.of(DropOldestExample::main, "1s");

        Matcher totals = out.single("published=(?<published>\\d+) seen=(?<seen>\\d+) dropped.oldest=(?<dropped>\\d+)");
        long published = num(totals, "published");
        long seen = num(totals, "seen");
        long dropped = num(totals, "dropped");
        assertTrue(published >= 20, totals.group());
        assertTrue(dropped > 0, "a consumer four times slower than the producer lost nothing: " + totals.group());
        assertEquals(published, seen + dropped, "every message seen or counted as dropped");

        Matcher last = out.single("last seen=\\[(?<last>[\\d, ]+)\\] \\(the newest published: (?<newest>true|false)\\)");
        Output.assertFlag(last, "newest");
        assertEquals(published - 3 + ", " + (published - 2) + ", " + (published - 1) + ", " + published, last.group("last"));

        List<Long> got = out.all("consumer: got (?<m>\\d+).*").stream().map(m -> num(m, "m")).toList();
        assertEquals(seen, got.size());
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i) > got.get(i - 1), "in order: " + got);
        }
        assertFalse(out.all("consumer: got \\d+ \\(missed \\d+\\.\\.\\d+\\)").isEmpty(), "the consumer never saw a gap");
        assertEquals(dropped, out.starting("producer: published ").stream()
                .filter(l -> l.endsWith("dropped the oldest queued message to make room")).count(),
                "each drop reported by the publish that made it");
    }
}
