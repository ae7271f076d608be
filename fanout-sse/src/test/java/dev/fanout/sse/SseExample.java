package dev.fanout.sse;

import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import io.helidon.webserver.WebServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * The examples shown in the Javadoc of {@link SseHandler}, {@link Authorizer},
 * {@link ConnectionLimits} and {@link ConnectionGuard}; compiled and run by a test.
 */
final class SseExample {
    private SseExample() {
    }

    /** A started example: its server and the hub it streams. */
    record Started(WebServer server, Hub<SseEvent> board) {
    }

    static Started start() {
        // @start region="example"
        Hub<SseEvent> board = Hub.<SseEvent>builder().name("leaderboard")
                .history(History.latest())                       // new clients get the current board
                .build();
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
        return new Started(server, board);
    }

    static Started authorized(String secret) {
        Hub<SseEvent> board = Hub.<SseEvent>builder().name("private-board").history(History.latest()).build();
        // @start region="authorizer"
        byte[] expected = secret.getBytes(StandardCharsets.UTF_8);
        Authorizer tokens = req -> {                             // EventSource sends no headers:
            String token = req.query().first("token")            // ?token=... or a session cookie
                    .orElseGet(() -> req.headers().cookies().first("session").orElse(null));
            if (token == null) {
                return Authorizer.Decision.unauthorized("Bearer realm=\"board\"", "a token is needed: ?token= or the session cookie");
            }
            return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8))
                    ? Authorizer.Decision.allow()
                    : Authorizer.Decision.forbidden("this token may not watch the board");
        };
        SseHandler<SseEvent> stream = SseHandler.builder(board)
                .authorizer(tokens)                              // 401 or 403 before subscribing
                .overflowChoices(Overflow.dropOldest())          // ?overflow=drop-oldest, else latest-only
                .build();
        // @end
        WebServer server = WebServer.builder().port(0).routing(r -> r.get("/board", stream)).build().start();
        board.publish(SseEvent.of("top", "{\"rank\":1,\"player\":\"grace\"}"));
        return new Started(server, board);
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

    static Started guarded() {
        // @start region="guard"
        int tcp = ConnectionLimits.maxTcpConnections(10_000);
        int reserve = Math.max(64, tcp / 100);                    // permits silent clients cannot take
        ConnectionGuard guard = ConnectionGuard.builder()
                .headerTimeout(Duration.ofSeconds(10))           // a request head within 10 s
                .idleTimeout(Duration.ofSeconds(30))             // between requests
                .share(tcp, reserve)
                .build();
        Hub<SseEvent> board = Hub.<SseEvent>builder().history(History.latest()).build();
        io.helidon.webserver.WebServerConfig.Builder server = WebServer.builder()
                .port(0)
                .maxTcpConnections(tcp)
                .routing(r -> r.get("/stream", SseHandler.builder(board)
                        .maxConnections(tcp - reserve)           // streams leave the reserve free too
                        .build()));
        WebServer started = guard.install(server).build().start(); // install last, then build
        // @end
        board.publish(SseEvent.of("behind the guard"));
        return new Started(started, board);
    }
}
