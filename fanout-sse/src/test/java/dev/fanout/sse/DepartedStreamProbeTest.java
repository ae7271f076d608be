package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.Hub;
import io.helidon.webserver.WebServer;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler at its stream limit whose streams include one whose client has reset: the refusal
 * of a new stream asks the idle streams for a heartbeat at once, the departed one's write fails
 * and ends it, and the refused client's retry is served, long before the next regular
 * heartbeat (a minute here) would have found it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DepartedStreamProbeTest {

    @Test
    void aRefusal_flushesOutAStreamWhoseClientReset_soTheRetryIsServed() throws Exception {
        Hub<SseEvent> hub = Hub.<SseEvent>builder().name("probe-test").build();
        SseHandler<SseEvent> events = SseHandler.builder(hub).maxConnections(2).heartbeat(Duration.ofMinutes(1))
                .retryAfter(Duration.ofSeconds(1)).build();
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.get("/events", events))
                .build()
                .start();
        try (Socket live = RawStreams.connect(server.port())) {
            assertTrue(RawStreams.requestEvents(live) == 200);
            Socket gone = RawStreams.connect(server.port());
            assertTrue(RawStreams.requestEvents(gone) == 200);
            gone.setSoLinger(true, 0);
            gone.close(); // a reset: the server notices only when it writes to it
            Thread.sleep(1200); // both streams idle for longer than a probe asks

            int status;
            try (Socket refused = RawStreams.connect(server.port())) {
                status = RawStreams.requestEvents(refused);
            }
            // the server may have noticed the reset by itself (it did in one run in several): then
            // there is nothing for the probe to do and this run cannot tell
            assumeTrue(status == 503, () -> "the departed stream was already gone: " + status);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int retried = 0;
            while (System.nanoTime() < deadline) {
                try (Socket retry = RawStreams.connect(server.port())) {
                    retried = RawStreams.requestEvents(retry);
                } catch (SocketTimeoutException e) {
                    retried = -1;
                }
                if (retried == 200) {
                    break;
                }
                Thread.sleep(200);
            }
            assertTrue(retried == 200, "a retry within 5 s is served, not refused until the minute's heartbeat: "
                    + retried + ", " + events.stats());
            assertTrue(events.stats().heartbeats() >= 1, "the probe wrote heartbeats: " + events.stats());
        } finally {
            events.close();
            server.stop();
            hub.close();
        }
    }
}
