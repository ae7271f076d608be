package dev.fanout.examples;

import static dev.fanout.examples.Output.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SseServerExampleTest {
    private static final Pattern TICK = Pattern.compile("id: (?<epoch>[0-9a-z]{12})-(?<id>\\d+)\nevent: tick\ndata: \\{\"n\":(?<n>\\d+)}");

    @Test
    void aClientReadsConsecutiveTicks_asServerSentEvents() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/ticks");
        CompletableFuture<List<String>> events = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                events.complete(read(uri, 3));
            } catch (Exception e) {
                events.completeExceptionally(e);
            }
        });

        Output out = Output.of(SseServerExample::main, Integer.toString(port), "3s");

        assertEquals("listening on " + uri, out.lines.getFirst());
        Matcher end = out.single("stopped after (?<ticks>\\d+) ticks; streams served: (?<streams>\\d+)");
        assertTrue(num(end, "ticks") >= 5, end.group());
        assertEquals(1, num(end, "streams"));

        List<String> got = events.get(10, TimeUnit.SECONDS);
        assertEquals(3, got.size(), got.toString());
        long first = -1;
        String epoch = null;
        for (int i = 0; i < got.size(); i++) {
            Matcher m = TICK.matcher(got.get(i));
            assertTrue(m.matches(), got.get(i));
            assertEquals(num(m, "id"), num(m, "n"), "the id is the hub's epoch and sequence number, here the tick's number");
            if (i == 0) {
                epoch = m.group("epoch");
                first = num(m, "n");
            } else {
                assertEquals(first + i, num(m, "n"), "consecutive, no gap, no duplicate: " + got);
                assertEquals(epoch, m.group("epoch"), "one hub, one epoch");
            }
        }
    }

    /** Connects (retrying until the example listens) and returns the first {@code count} events, each as its lines. */
    private static List<String> read(URI uri, int count) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<Stream<String>> r;
        while (true) {
            try {
                r = http.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build(),
                        HttpResponse.BodyHandlers.ofLines());
                break;
            } catch (ConnectException notYet) {
                Thread.sleep(50);
            }
        }
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        StringBuilder event = new StringBuilder();
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            while (events.size() < count && it.hasNext()) {
                String line = it.next();
                if (!line.isEmpty()) {
                    event.append(event.isEmpty() ? "" : "\n").append(line);
                } else if (!event.isEmpty()) {
                    if (!event.toString().startsWith("retry: ")) {
                        events.add(event.toString());
                    }
                    event.setLength(0);
                }
            }
        } catch (RuntimeException e) {
            // the server stopped
        }
        return events;
    }
}
