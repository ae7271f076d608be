package dev.fanout.sse;

import java.util.Objects;
import java.util.Optional;

/**
 * One Server-Sent Event as the application describes it: an optional event type and the data.
 * The {@code id:} line is not part of it: {@link SseHandler} writes the message's
 * {@link dev.fanout.Position} there ({@code epoch-sequence}), so that a reconnecting client's
 * {@code Last-Event-ID} can resume from the hub, and one from another epoch is told apart.
 *
 * <p>Publish {@code SseEvent}s on a {@code Hub<SseEvent>}, or map your own message type to
 * one with {@link SseHandler.Builder#events}. Either way the handler turns each published
 * message into its wire bytes once and writes the same bytes to every connection.
 *
 * <p>Data may hold any text: a CR, LF or CRLF ends a line and each line goes out as its own
 * {@code data:} line, so the client receives the text with every line end as LF. The event
 * type must not contain CR or LF (a client would read the rest as another field).
 *
 * <p>Immutable and thread-safe. It records {@link System#nanoTime()} when it is created, the
 * start of the handler's publish-to-flush latency; create it right before you publish.
 */
public final class SseEvent {
    private final String event;
    private final String data;
    private final long createdNanos;

    private SseEvent(String event, String data) {
        this.event = event;
        this.data = Objects.requireNonNull(data, "data");
        this.createdNanos = System.nanoTime();
    }

    /**
     * An unnamed event.
     *
     * @param data the data, any text (empty is allowed and is delivered as an empty string)
     * @return an event of the default type ({@code message})
     */
    public static SseEvent of(String data) {
        return new SseEvent(null, data);
    }

    /**
     * A named event.
     *
     * @param event the event type, not empty, without CR or LF
     * @param data  the data, any text
     * @return an event of that type
     * @throws IllegalArgumentException when {@code event} is empty or holds CR or LF
     */
    public static SseEvent of(String event, String data) {
        Objects.requireNonNull(event, "event");
        if (event.isEmpty() || Frames.hasLineBreak(event)) {
            throw new IllegalArgumentException("event: \"" + Frames.escape(event)
                    + "\" (expected: not empty, no CR or LF)");
        }
        return new SseEvent(event, data);
    }

    /** {@return the event type, empty for the default type} */
    public Optional<String> event() {
        return Optional.ofNullable(event);
    }

    /** {@return the data} */
    public String data() {
        return data;
    }

    /** {@return {@link System#nanoTime()} when this event was created} */
    public long createdNanos() {
        return createdNanos;
    }

    String eventOrNull() {
        return event;
    }

    @Override
    public String toString() {
        return "SseEvent[" + (event == null ? "" : event + ", ") + data.length() + " chars]";
    }
}
