package dev.fanout.leaderboard.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    /** Everything the parser reported, as text. */
    private static final class Recorded implements SseParser.Listener {
        final List<String> log = new ArrayList<>();

        @Override
        public void onStatus(int status) {
            log.add("status " + status);
        }

        @Override
        public void onHeaders(boolean chunked, long contentLength) {
            log.add("headers chunked=" + chunked + " length=" + contentLength);
        }

        @Override
        public void onEvent(long id, String event, byte[] data, int length) {
            log.add("event id=" + id + " type=" + event + " data=" + new String(data, 0, length, StandardCharsets.UTF_8));
        }

        @Override
        public void onComment() {
            log.add("comment");
        }

        @Override
        public void onEnd() {
            log.add("end");
        }
    }

    private static String chunked(String body, int chunk) {
        StringBuilder b = new StringBuilder();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += chunk) {
            int n = Math.min(chunk, bytes.length - i);
            b.append(Integer.toHexString(n)).append(";ext=1\r\n")
                    .append(new String(bytes, i, n, StandardCharsets.UTF_8)).append("\r\n");
        }
        return b.append("0\r\n\r\n").toString();
    }

    private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";
    private static final String STREAM = "retry: 2000\n\n"
            + "id: 41\nevent: leaderboard\ndata: {\"version\":41,\"published_at\":1718000000123,\"entries\":[]}\n\n"
            + ": heartbeat\n\n"
            + "id: 42\r\nevent: leaderboard\r\ndata:{\"a\":1}\r\ndata: second line\r\n\r\n"
            + "data: no id type\rid: x7\r\r"
            + "id: k2v9d0q7xm1c-43\nevent: leaderboard\ndata: z\n\n";

    private static final List<String> EXPECTED = List.of(
            "status 200", "headers chunked=true length=-1",
            "event id=41 type=leaderboard data={\"version\":41,\"published_at\":1718000000123,\"entries\":[]}",
            "comment",
            "event id=42 type=leaderboard data={\"a\":1}\nsecond line",
            "event id=-1 type=message data=no id type",
            "event id=43 type=leaderboard data=z",
            "end");

    @Test
    void parsesChunkedEventStreamWhateverTheSplit() throws Exception {
        byte[] all = (HEAD + chunked(STREAM, 37)).getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split <= all.length; split += split < 16 ? 1 : 29) {
            Recorded r = new Recorded();
            SseParser p = new SseParser(r);
            for (int i = 0; i < all.length; i += split) {
                p.feed(ByteBuffer.wrap(all, i, Math.min(split, all.length - i)));
            }
            assertEquals(EXPECTED, r.log, "split " + split);
            assertTrue(p.done());
        }
    }

    @Test
    void parsesLengthDelimitedAndUntilCloseBodies() throws Exception {
        byte[] body = "data: x\n\n".getBytes(StandardCharsets.US_ASCII);
        Recorded r = new Recorded();
        SseParser p = new SseParser(r);
        p.feed(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        p.feed(ByteBuffer.wrap(body));
        assertEquals(List.of("status 200", "headers chunked=false length=9", "event id=-1 type=message data=x", "end"), r.log);

        Recorded r2 = new Recorded();
        SseParser p2 = new SseParser(r2);
        p2.feed(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\nid: 5\ndata: y\n\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of("status 200", "headers chunked=false length=-1", "event id=5 type=message data=y"), r2.log);
        assertFalse(p2.done());
    }

    @Test
    void reportsARefusal() throws Exception {
        Recorded r = new Recorded();
        new SseParser(r).feed(ByteBuffer.wrap("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of("status 503", "headers chunked=false length=0", "end"), r.log);
    }

    @Test
    void keepsTheLastIdAsSent_forLastEventId_andReportsHeaders() throws Exception {
        List<String> headers = new ArrayList<>();
        SseParser p = new SseParser(new SseParser.Listener() {
            @Override
            public void onStatus(int status) {
            }

            @Override
            public void onEvent(long id, String event, byte[] data, int length) {
            }

            @Override
            public void onHeader(String name, String value) {
                headers.add(name + "=" + value);
            }
        });
        assertTrue(p.lastEventId().isEmpty());
        p.feed(ByteBuffer.wrap((HEAD + chunked(STREAM, 11)).getBytes(StandardCharsets.UTF_8)));
        assertEquals("k2v9d0q7xm1c-43", p.lastEventId().orElseThrow());
        assertEquals(List.of("Content-Type=text/event-stream", "Transfer-Encoding=chunked"), headers);

        SseParser q = new SseParser(new Recorded());
        q.feed(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\nid: a-1\ndata: y\n\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("a-1", q.lastEventId().orElseThrow());
        q.feed(ByteBuffer.wrap("id: an-epoch-that-is-longer-than-thirty-two-bytes-1234567\ndata: z\n\n"
                .getBytes(StandardCharsets.US_ASCII)));
        assertEquals("an-epoch-that-is-longer-than-thirty-two-bytes-1234567", q.lastEventId().orElseThrow());
    }

    @Test
    void rejectsWhatIsNotHttp() {
        assertThrows(SseParser.ProtocolException.class, () -> new SseParser(new Recorded())
                .feed(ByteBuffer.wrap("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII))));
        assertThrows(SseParser.ProtocolException.class, () -> new SseParser(new Recorded())
                .feed(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".getBytes(StandardCharsets.US_ASCII))));
        assertThrows(SseParser.ProtocolException.class, () -> new SseParser(new Recorded())
                .feed(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nno colon here\r\n".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void findsNumericJsonMembers() {
        byte[] d = "{\"version\":42,\"published_at\": 1718000000123,\"entries\":[{\"player\":\"published_at\"}]}"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(1718000000123L, SseParser.longField(d, d.length, "\"published_at\"".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(42, SseParser.longField(d, d.length, "\"version\"".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(-1, SseParser.longField(d, d.length, "\"missing\"".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(-1, SseParser.longField(d, 12, "\"published_at\"".getBytes(StandardCharsets.US_ASCII)));
    }
}
