package dev.fanout.sse;

import dev.fanout.Hub;
import io.helidon.webserver.WebServer;
import java.time.Duration;

/**
 * The examples shown in the Javadoc of {@link SseHandler}, {@link ConnectionLimits} and
 * {@link ConnectionGuard}; compiled and run by a test.
 */
final class SseExample {
    private SseExample() {
    }

    static WebServer start() {
        // @start region="example"
        Hub<SseEvent> board = Hub.<SseEvent>builder().name("leaderboard").build();
        SseHandler<SseEvent> stream = SseHandler.builder(board)   // latest-only per connection
                .heartbeat(Duration.ofSeconds(15))
                .stallTimeout(Duration.ofSeconds(10))
                .maxConnections(10_000)                          // then 503 + Retry-After
                .build();
        WebServer server = WebServer.builder()
                .port(0)
                .routing(r -> r.get("/stream", stream))
                .build()
                .start();
        board.publish(SseEvent.of("top", "{\"rank\":1,\"player\":\"ada\"}")); // encoded once, written to all
        // @end
        return server;
    }

    static int limits() {
        // @start region="limits"
        int tcp = ConnectionLimits.maxTcpConnections(10_000);     // open-file limit minus a reserve
        WebServer server = WebServer.builder()
                .port(0)
                .maxTcpConnections(tcp)
                .routing(r -> r.get("/stream", SseHandler.builder(Hub.<SseEvent>builder().build())
                        .maxConnections(tcp - 64)                // 503s before the listener refuses
                        .build()))
                .build();
        // @end
        return server.port() == 0 ? tcp : tcp;
    }

    static WebServer guarded() {
        // @start region="guard"
        int tcp = ConnectionLimits.maxTcpConnections(10_000);
        int reserve = Math.max(64, tcp / 100);                    // permits silent clients cannot take
        ConnectionGuard guard = ConnectionGuard.builder()
                .headerTimeout(Duration.ofSeconds(10))           // a request head within 10 s
                .idleTimeout(Duration.ofSeconds(30))             // between requests
                .share(tcp, reserve)
                .build();
        io.helidon.webserver.WebServerConfig.Builder server = WebServer.builder()
                .port(0)
                .maxTcpConnections(tcp)
                .routing(r -> r.get("/stream", SseHandler.builder(Hub.<SseEvent>builder().build())
                        .maxConnections(tcp - reserve)           // streams leave the reserve free too
                        .build()));
        WebServer started = guard.install(server).build().start(); // install last, then build
        // @end
        return started;
    }
}
