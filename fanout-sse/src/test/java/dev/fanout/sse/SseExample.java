package dev.fanout.sse;

import dev.fanout.Hub;
import io.helidon.webserver.WebServer;
import java.time.Duration;

/** The example shown in the Javadoc of {@link SseHandler} and {@link ConnectionLimits}; compiled and run by a test. */
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
}
