package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Over the reserve's line with nothing to shed (every connection beyond it a stream, which is
 * never closed for the reserve), accepts do not each walk every connection: after a scan that
 * could not get below the line, the next accepts skip it until the checking thread's next tick.
 * A silent newcomer over the line is still closed, by its grace.
 */
class ConnectionGuardShedTest {

    /** @return a connection with an open stream */
    private static Socket stream(int port) throws IOException {
        Socket s = RawStreams.connect(port);
        int status = RawStreams.requestEvents(s);
        assertEquals(200, status, "a stream below the limit is served");
        return s;
    }

    @Test
    void acceptsOverTheLine_doNotRescanWhenNothingCanBeShed() throws Exception {
        Hub<SseEvent> hub = Hub.<SseEvent>builder().name("shed-test").build();
        SseHandler<SseEvent> events = SseHandler.builder(hub).maxConnections(40).heartbeat(Duration.ofSeconds(30))
                .build();
        ConnectionGuard guard = ConnectionGuard.builder()
                .headerTimeout(Duration.ofSeconds(5))
                .share(20, 4) // the line: 16 connections
                .build();
        WebServer server = guard.install(WebServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .maxTcpConnections(40)
                        .routing(r -> r.get("/events", events)))
                .build()
                .start();
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 18; i++) { // two streams beyond the line
                open.add(stream(server.port()));
            }
            long before = guard.acceptScans();
            long start = System.nanoTime();
            List<Socket> silent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                silent.add(RawStreams.connect(server.port()));
            }
            long ticks = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 500;
            open.addAll(silent);
            long scans = guard.acceptScans() - before;
            // a scan can close only the silent newcomers, never enough to get below the line (the
            // rest are streams): after one, the accepts wait for the next tick (16 of 30 scanned
            // without the pause)
            assertTrue(scans <= ticks + 2, scans + " scans for 30 accepts over " + ticks + " ticks");

            // the silent newcomers over the line still go, after their grace
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int closed = 0;
            for (Socket s : silent) {
                s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                try {
                    if (s.getInputStream().read() < 0) {
                        closed++;
                    }
                } catch (IOException e) {
                    closed++; // reset
                }
            }
            assertEquals(30, closed, "silent connections over the line still closed");
            assertTrue(guard.closed(ConnectionGuard.Reason.EVICTED) >= 30, "closed as evicted");
        } finally {
            for (Socket s : open) {
                s.close();
            }
            events.close();
            server.stop();
            guard.close();
            hub.close();
        }
    }
}
