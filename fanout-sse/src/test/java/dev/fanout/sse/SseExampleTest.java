package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The Javadoc examples, run: a client connects and reads what each streams. */
class SseExampleTest {
    private static URI uri(SseExample.Started s, String path) {
        return URI.create("http://localhost:" + s.server().port() + path);
    }

    @Test
    void example_streamsTheCurrentBoard_thenLiveEvents_withEpochSequenceIds() throws Exception {
        SseExample.Started s = SseExample.start();
        try (SseClient c = SseClient.open(uri(s, "/stream"))) {
            assertEquals(200, c.response.statusCode());
            assertEquals("text/event-stream", c.response.headers().firstValue("Content-Type").orElseThrow());
            String epoch = s.board().epoch();
            assertTrue(epoch.matches("[0-9a-z]{12}"), epoch);
            assertEquals(new SseParser.Event(epoch + "-1", "top", "{\"rank\":1,\"player\":\"ada\"}"), c.next(),
                    "the board published before the client came");
            s.board().publish(SseEvent.of("top", "{\"rank\":1,\"player\":\"lin\"}"));
            assertEquals(new SseParser.Event(epoch + "-2", "top", "{\"rank\":1,\"player\":\"lin\"}"), c.next());
            assertTrue(c.retry() >= 2000 && c.retry() <= 5000, "retry hint: " + c.retry());
        } finally {
            s.server().stop();
        }
    }

    @Test
    void guarded_streamsBehindTheGuard() throws Exception {
        SseExample.Started s = SseExample.guarded();
        try (SseClient c = SseClient.open(uri(s, "/stream"))) {
            assertEquals(new SseParser.Event(s.board().epoch() + "-1", "message", "behind the guard"), c.next());
        } finally {
            s.server().stop();
        }
    }

    @Test
    void authorized_refusesWithoutTheToken_andStreamsWithIt() throws Exception {
        SseExample.Started s = SseExample.authorized("s3cret");
        try {
            HttpResponse<String> none = SseClient.HTTP1.send(HttpRequest.newBuilder(uri(s, "/board")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            assertEquals("Bearer realm=\"board\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
            HttpResponse<String> wrong = SseClient.HTTP1.send(HttpRequest.newBuilder(uri(s, "/board?token=guess")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, wrong.statusCode());
            assertEquals(0, s.board().stats().subscribed());
            try (SseClient c = SseClient.open(uri(s, "/board?token=s3cret&overflow=drop-oldest"))) {
                assertEquals(new SseParser.Event(s.board().epoch() + "-1", "top", "{\"rank\":1,\"player\":\"grace\"}"), c.next());
            }
            HttpResponse<String> choice = SseClient.HTTP1.send(HttpRequest.newBuilder(uri(s, "/board?token=s3cret&overflow=disconnect"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, choice.statusCode());
            assertEquals("overflow: \"disconnect\" (expected one of: latest-only, drop-oldest)\n", choice.body());
        } finally {
            s.server().stop();
        }
    }

    @Test
    void limits_leaveHeadroomBelowTheOpenFileLimit() {
        int tcp = SseExample.limits();
        long files = ConnectionLimits.openFileLimit().orElse(Long.MAX_VALUE);
        assertTrue(tcp < files, tcp + " < " + files);
        assertTrue(ConnectionLimits.maxTcpConnections(20_000, 400) == 19_600);
    }
}
