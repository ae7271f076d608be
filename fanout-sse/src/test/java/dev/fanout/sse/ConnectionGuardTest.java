package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionGuard} on a plain Helidon server, over bare sockets: a silent client is
 * closed by the header timeout, {@code Connection: close} ends the connection, HTTP/1.0 is
 * answered, a refused stream's connection ends, and a stream is never idle-closed.
 */
class ConnectionGuardTest {
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("guard-test").build();
    static final SseHandler<SseEvent> STREAM = SseHandler.builder(HUB).maxConnections(1).heartbeat(Duration.ofMillis(300))
            .build();
    static ConnectionGuard guard;
    static WebServer server;

    @BeforeAll
    static void start() {
        guard = ConnectionGuard.builder()
                .headerTimeout(Duration.ofSeconds(1))
                .idleTimeout(Duration.ofSeconds(1))
                .share(100, 10)
                .build();
        server = guard.install(WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .maxTcpConnections(100)
                .routing(r -> r.get("/hello", (req, res) -> res.send("hi")).get("/events", STREAM)))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        STREAM.close();
        server.stop();
        guard.close();
        HUB.close();
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        return s;
    }

    static void send(Socket s, String raw) throws IOException {
        s.getOutputStream().write(raw.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** @return everything read until the server closed, or null if it was still open after {@code wait} */
    static String untilClosed(Socket s, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        byte[] buf = new byte[4096];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null; // still open (a stream keeps writing heartbeats)
                }
                s.setSoTimeout((int) left);
                int n = in.read(buf);
                if (n < 0) {
                    return b.toString();
                }
                b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            return null;
        } catch (SocketException e) {
            return b.toString(); // reset
        }
    }

    @Test
    void silentClient_isClosedByTheHeaderTimeout() throws IOException {
        long before = guard.closed(ConnectionGuard.Reason.HEADER_TIMEOUT);
        try (Socket s = connect()) {
            assertEquals("", untilClosed(s, Duration.ofSeconds(4)));
        }
        assertTrue(guard.closed(ConnectionGuard.Reason.HEADER_TIMEOUT) > before);
    }

    @Test
    void connectionClose_endsTheConnection_andAPipelinedRequestIsNotAnswered() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            String all = untilClosed(s, Duration.ofSeconds(4));
            assertTrue(all != null && all.startsWith("HTTP/1.1 200"), String.valueOf(all));
            assertEquals(1, all.split("HTTP/1.1 ", -1).length - 1, "one answer: " + all);
        }
    }

    @Test
    void http10_isAnsweredAndClosed() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /hello HTTP/1.0\r\n\r\n");
            String all = untilClosed(s, Duration.ofSeconds(4));
            assertTrue(all != null && all.startsWith("HTTP/1.1 200") && all.endsWith("hi"), String.valueOf(all));
        }
    }

    @Test
    void refusedStream_isClosed_andAnOpenStreamIsNotIdleClosed() throws IOException {
        try (Socket first = connect(); Socket second = connect()) {
            send(first, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
            first.setSoTimeout(5000);
            assertTrue(new String(first.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
            send(second, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
            String refused = untilClosed(second, Duration.ofSeconds(4));
            assertTrue(refused != null && refused.startsWith("HTTP/1.1 503"), String.valueOf(refused));
            assertTrue(refused.contains("Connection: close"), refused);
            assertFalse(untilClosed(first, Duration.ofSeconds(3)) != null, "the stream stays open past the idle timeout");
        }
    }
}
