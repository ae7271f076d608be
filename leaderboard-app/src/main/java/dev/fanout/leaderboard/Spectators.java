package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.sse.SseHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * {@code GET /spectators}: {@code {"connected":17}}, the streams open on this instance now, for
 * the live page's figures. It reads one counter of the stream handler
 * ({@link SseHandler#openConnections()}); nothing else, never the store.
 *
 * <p>The page asks for it every few seconds rather than having it pushed on the stream: a count
 * that changes with every connect and disconnect does not belong in the snapshots, which every
 * instance of a shared store publishes identically and only when the board changes.
 *
 * <p>Thread-safe: stateless apart from the counter it reads.
 */
final class Spectators implements Handler {

    private final IntSupplier connected;
    private final ObjectMapper mapper;

    /**
     * @param connected streams open now; any thread
     * @param mapper    writes the body
     */
    Spectators(IntSupplier connected, ObjectMapper mapper) {
        this.connected = Objects.requireNonNull(connected, "connected");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** The body. */
    record Body(int connected) {
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(new Body(connected.getAsInt()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the spectator count", e);
        }
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json"));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store"));
        res.send(body);
    }
}
