package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramesTest {

    private static String frame(String id, String event, String data) {
        return new String(Frames.encode(id, event, data), StandardCharsets.UTF_8);
    }

    private static SseParser.Event roundTrip(String data) {
        List<SseParser.Event> events = SseParser.parseAll(frame("7", null, data));
        assertEquals(1, events.size(), "one frame, one event");
        return events.getFirst();
    }

    @Test
    void singleLine_isIdThenDataThenBlankLine() {
        assertEquals("id: 1\nevent: score\ndata: hello\n\n", frame("1", "score", "hello"));
    }

    @Test
    void multiLineData_becomesOneDataLinePerLine() {
        assertEquals("id: 2\ndata: a\ndata: b\ndata: c\n\n", frame("2", null, "a\nb\nc"));
        assertEquals("a\nb\nc", roundTrip("a\nb\nc").data());
    }

    @Test
    void crLfAndCrlf_areAllLineEnds_andArriveAsLf() {
        assertEquals("id: 3\ndata: a\ndata: b\ndata: c\ndata: d\n\n", frame("3", null, "a\rb\r\nc\nd"));
        assertEquals("a\nb\nc\nd", roundTrip("a\rb\r\nc\nd").data());
        assertEquals("a\n\nb", roundTrip("a\r\rb").data(), "CR CR is two line ends, not one CRLF");
    }

    @Test
    void emptyData_isDeliveredAsAnEmptyEvent() {
        assertEquals("id: 4\ndata: \n\n", frame("4", null, ""));
        assertEquals("", roundTrip("").data());
    }

    @Test
    void leadingSpacesAndTrailingNewlines_survive() {
        assertEquals("  indented", roundTrip("  indented").data());
        assertEquals("x\n", roundTrip("x\n").data());
        assertEquals("\n\n", roundTrip("\n\n").data());
        assertEquals("a: b", roundTrip("a: b").data());
        assertEquals(":not a comment", roundTrip(":not a comment").data());
    }

    @Test
    void unicode_isUtf8() {
        String text = "héllo wörld ✓ 日本語 \uD83D\uDE80";
        byte[] bytes = Frames.encode("5", null, text);
        assertEquals("id: 5\ndata: " + text + "\n\n", new String(bytes, StandardCharsets.UTF_8));
        assertEquals(("id: 5\ndata: \n\n").length() + text.getBytes(StandardCharsets.UTF_8).length, bytes.length);
        assertEquals(text, roundTrip(text).data());
    }

    @Test
    void idOrEventWithALineBreak_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> Frames.encode("1\n2", null, "x"));
        assertThrows(IllegalArgumentException.class, () -> Frames.encode("1\0", null, "x"), "a client ignores an id with NUL");
        assertThrows(IllegalArgumentException.class, () -> Frames.encode("1", "a\rb", "x"));
        assertThrows(IllegalArgumentException.class, () -> SseEvent.of("a\nb", "x"));
        assertThrows(IllegalArgumentException.class, () -> SseEvent.of("", "x"));
    }

    @Test
    void retryAndHeartbeat_dispatchNothing() {
        SseParser p = new SseParser();
        List<SseParser.Event> none = SseParser.parseAll(new String(Frames.retry(2500), StandardCharsets.US_ASCII)
                + new String(Frames.HEARTBEAT, StandardCharsets.US_ASCII));
        assertEquals(List.of(), none);
        for (String line : "retry: 2500\n".split("\n")) {
            p.line(line);
        }
        assertEquals(2500, p.retry);
    }

    @Test
    void latencyBuckets_boundTheirValues() {
        for (long us : new long[] {0, 1, 3, 4, 5, 7, 8, 100, 1000, 123_456, 10_000_000}) {
            int i = LatencyHistogram.index(us);
            assertEquals(true, LatencyHistogram.upperMicros(i) >= us, "upper bound of " + us);
            assertEquals(true, i == 0 || LatencyHistogram.upperMicros(i - 1) < us, "lower bound of " + us);
        }
    }
}
