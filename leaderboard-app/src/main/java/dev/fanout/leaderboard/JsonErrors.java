package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.util.Locale;

/**
 * JSON bodies for the errors Helidon answers itself, before or outside routing (a malformed
 * request line or header, a request line too long, an unsupported version): the same
 * {@code {"error":...,"message":...}} shape as the API's own errors, instead of an empty or
 * text body. The message is Helidon's when it marks it safe to show, else the status's reason.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonErrors implements DirectHandler {
    private final ObjectMapper mapper;

    private JsonErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @return direct handlers answering every event type with a JSON body */
    static DirectHandlers create(ObjectMapper mapper) {
        JsonErrors handler = new JsonErrors(mapper);
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            b.addHandler(type, handler);
        }
        return b.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String code = status.reasonPhrase() == null || status.reasonPhrase().isEmpty()
                ? "error_" + status.code()
                : status.reasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        String text = message == null || message.isBlank() || message.startsWith("Bad request, see server log")
                ? status.code() + " " + status.reasonPhrase()
                : message;
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(new Json.ErrorBody(code, null, text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        headers.set(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json"));
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(body)
                .build();
    }
}
