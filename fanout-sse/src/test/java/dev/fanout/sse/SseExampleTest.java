package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.Test;

class SseExampleTest {
    @Test
    void example_startsAServerThatStreams() {
        WebServer server = SseExample.start();
        try {
            assertTrue(server.isRunning());
        } finally {
            server.stop();
        }
    }

    @Test
    void guarded_startsAServerBehindTheGuard() {
        WebServer server = SseExample.guarded();
        try {
            assertTrue(server.isRunning());
        } finally {
            server.stop();
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
