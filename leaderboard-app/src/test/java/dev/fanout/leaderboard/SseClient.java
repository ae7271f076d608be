package dev.fanout.leaderboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A test SSE client: reads the events of a stream ({@code id:}, {@code event:} and JSON
 * {@code data:}) on a virtual thread.
 */
final class SseClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One event: the last {@code id:} seen ("" before any: an event without one keeps the
     * previous, as a browser does), its type ({@code message} when it had none) and its data as
     * JSON.
     */
    record Event(String id, String type, JsonNode data) {
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;

    SseClient(URI uri) throws Exception {
        this(uri, null);
    }

    /** @param lastEventId sent as {@code Last-Event-ID}, as a reconnecting browser does; null for none */
    SseClient(URI uri, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        response = TestApps.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        reader = Thread.ofVirtual().start(() -> {
            String[] id = {""};
            String[] type = {"message"};
            try (Stream<String> lines = response.body()) {
                lines.forEach(line -> {
                    if (line.isEmpty()) {
                        type[0] = "message"; // the end of an event
                    } else if (line.startsWith("id: ")) {
                        id[0] = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        type[0] = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        try {
                            events.add(new Event(id[0], type[0], JSON.readTree(line.substring(6))));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            } catch (RuntimeException e) {
                // closed
            }
        });
    }

    HttpResponse<Stream<String>> response() {
        return response;
    }

    /** @return true once the server ended the stream (or it was closed) and every event was read off it */
    boolean ended() {
        return !reader.isAlive();
    }

    /** @return the data of the first event that matches, waiting at most {@code timeout}, or null */
    JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
        Event e = await(ev -> match.test(ev.data()), timeout);
        return e == null ? null : e.data();
    }

    /** @return the first event that matches, waiting at most {@code timeout}, or null */
    Event await(Predicate<Event> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Event e = events.poll(left, TimeUnit.NANOSECONDS);
            if (e != null && match.test(e)) {
                return e;
            }
        }
    }

    @Override
    public void close() {
        reader.interrupt();
        response.body().close();
    }
}
