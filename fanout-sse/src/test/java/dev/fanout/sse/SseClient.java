package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** A real SSE client for tests: the JDK HttpClient reading lines, parsed by {@link SseParser}. */
final class SseClient implements AutoCloseable {
    static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final HttpClient HTTP2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    final HttpResponse<Stream<String>> response;
    private final BlockingQueue<SseParser.Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger comments = new AtomicInteger();
    private volatile boolean ended;
    private volatile long retry = -1;
    private final Thread reader;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    static SseClient open(HttpClient client, URI uri, String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(client.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads a response already received (sent with {@code BodyHandlers.ofLines()}). */
    static SseClient of(HttpResponse<Stream<String>> response) {
        return new SseClient(response);
    }

    static SseClient open(URI uri) {
        return open(HTTP1, uri, null);
    }

    private void read() {
        SseParser p = new SseParser();
        try (Stream<String> lines = response.body()) {
            lines.forEach(line -> {
                SseParser.Event e = p.line(line);
                comments.set(p.comments);
                retry = p.retry;
                if (e != null) {
                    events.add(e);
                }
            });
        } catch (RuntimeException e) {
            // closed by the test or by the server
        } finally {
            ended = true;
        }
    }

    SseParser.Event next() throws InterruptedException {
        SseParser.Event e = events.poll(20, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 20 s");
        return e;
    }

    SseParser.Event poll(Duration d) throws InterruptedException {
        return events.poll(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    int comments() {
        return comments.get();
    }

    long retry() {
        return retry;
    }

    boolean ended() {
        return ended;
    }

    void awaitEnd() throws InterruptedException {
        reader.join(Duration.ofSeconds(20));
    }

    @Override
    public void close() {
        reader.interrupt();
        try {
            response.body().close();
        } catch (RuntimeException ignored) {
            // already closed
        }
    }
}
