package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How streams end: handler close, hub close, server stop, topic selection. Each test runs its own server. */
class LifecycleTest {

    private static WebServer serve(SseHandler<?> handler) {
        return WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.get("/events", handler).get("/topic/{name}", handler))
                .build().start();
    }

    private static URI uri(WebServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void handlerClose_endsEveryStreamAtOnce_andRefusesNewOnes() throws Exception {
        Hub<SseEvent> hub = Hub.<SseEvent>builder().build();
        SseHandler<SseEvent> handler = SseHandler.builder(hub).heartbeat(Duration.ofSeconds(30)).build();
        WebServer server = serve(handler);
        List<SseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                clients.add(SseClient.open(uri(server, "/events")));
            }
            Await.until(() -> hub.stats().subscribers() == 5, () -> "subscribers");
            handler.close();
            for (SseClient c : clients) {
                c.awaitEnd();
                assertTrue(c.ended(), "stream ended");
            }
            assertEquals(5, handler.stats().disconnects(SseDisconnect.SHUTDOWN));
            assertEquals(0, hub.stats().subscribers());
            HttpResponse<String> r = SseClient.HTTP1.send(
                    HttpRequest.newBuilder(uri(server, "/events")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, r.statusCode());
        } finally {
            clients.forEach(SseClient::close);
            server.stop();
        }
    }

    @Test
    void hubClose_endsStreamsAfterWhatTheyHold() throws Exception {
        Hub<SseEvent> hub = Hub.<SseEvent>builder().build();
        SseHandler<SseEvent> handler = SseHandler.builder(hub).build();
        WebServer server = serve(handler);
        try (SseClient c = SseClient.open(uri(server, "/events"))) {
            Await.until(() -> hub.stats().subscribers() == 1, () -> "subscribers");
            hub.publish(SseEvent.of("last words"));
            hub.close();
            assertEquals("last words", c.next().data());
            c.awaitEnd();
            assertTrue(c.ended());
            Await.until(() -> handler.stats().disconnects(SseDisconnect.HUB_CLOSED) == 1, () -> "hub closed cause");
        } finally {
            server.stop();
            handler.close();
        }
    }

    @Test
    void serverStop_endsStreams() throws Exception {
        Hub<SseEvent> hub = Hub.<SseEvent>builder().build();
        SseHandler<SseEvent> handler = SseHandler.builder(hub).heartbeat(Duration.ofSeconds(30)).build();
        WebServer server = serve(handler);
        try (SseClient c = SseClient.open(uri(server, "/events"))) {
            Await.until(() -> hub.stats().subscribers() == 1, () -> "subscribers");
            server.stop();
            c.awaitEnd();
            assertTrue(c.ended());
            Await.until(() -> handler.openConnections() == 0 && hub.stats().subscribers() == 0, () -> "cleaned up");
        } finally {
            handler.close();
        }
    }

    @Test
    void topicFunction_picksTheHubFromTheRequest_orAnswers404() throws Exception {
        Hub<String> a = Hub.<String>builder().name("a").build();
        Hub<String> b = Hub.<String>builder().name("b").build();
        SseHandler<String> handler = SseHandler.<String>builder(req -> switch (req.path().pathParameters()
                        .first("name").orElse("")) {
                    case "a" -> Optional.of(a);
                    case "b" -> Optional.of(b);
                    default -> Optional.empty();
                })
                .events(s -> {
                    if (s.equals("poison")) {
                        throw new IllegalArgumentException("cannot map " + s);
                    }
                    return SseEvent.of("msg", s.toUpperCase(java.util.Locale.ROOT));
                })
                .build();
        WebServer server = serve(handler);
        try (SseClient ca = SseClient.open(uri(server, "/topic/a"));
             SseClient cb = SseClient.open(uri(server, "/topic/b"))) {
            Await.until(() -> a.stats().subscribers() == 1 && b.stats().subscribers() == 1, () -> "subscribers");
            a.publish("for a");
            b.publish("for b");
            assertEquals(new SseParser.Event(a.epoch() + "-1", "msg", "FOR A"), ca.next());
            assertEquals(new SseParser.Event(b.epoch() + "-1", "msg", "FOR B"), cb.next(), "each hub its own epoch");
            assertEquals(2, handler.stats().framesEncoded(), "same sequence, different hubs: two frames");

            // a message the mapper fails on is skipped by every stream, which goes on
            a.publish("poison");
            Await.until(() -> handler.stats().eventsFailed() == 1, () -> "poison mapped"); // else latest-only may supersede it
            long next = a.publish("after");
            assertEquals(new SseParser.Event(a.epoch() + "-" + next, "msg", "AFTER"), ca.next());
            assertEquals(1, handler.stats().eventsFailed());
            HttpResponse<String> r = SseClient.HTTP1.send(
                    HttpRequest.newBuilder(uri(server, "/topic/zzz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode());
        } finally {
            server.stop();
            handler.close();
        }
    }
}
