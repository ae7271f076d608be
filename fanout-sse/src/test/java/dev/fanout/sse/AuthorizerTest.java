package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fanout.History;
import dev.fanout.Hub;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The authorizer over a real socket: a token in the query, a cookie or a header is let in; a
 * missing one gets 401 with {@code WWW-Authenticate}, a wrong one 403, a failing authorizer
 * 500; a refused request subscribes nothing and takes no admission slot.
 */
@ServerTest
class AuthorizerTest {
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("guarded-board").history(History.latest()).build();
    static final SseHandler<SseEvent> HANDLER = SseHandler.builder(HUB)
            .authorizer(AuthorizerTest::check)
            .maxConnections(1) // a refused request must not take it
            .heartbeat(Duration.ofMillis(100)) // a closed client is seen soon
            .build();

    private final URI uri;

    AuthorizerTest(URI uri) {
        this.uri = uri.resolve("/board");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/board", HANDLER);
    }

    /** Query {@code token}, else cookie {@code session}, else header {@code X-Token}. */
    private static Authorizer.Decision check(io.helidon.webserver.http.ServerRequest req) {
        String token = req.query().first("token")
                .orElseGet(() -> req.headers().cookies().first("session")
                        .orElseGet(() -> req.headers().value(io.helidon.http.HeaderNames.create("X-Token")).orElse(null)));
        if (token == null) {
            return Authorizer.Decision.unauthorized("Bearer realm=\"board\"", "a token is needed");
        }
        return switch (token) {
            case "good" -> Authorizer.Decision.allow();
            case "boom" -> throw new IllegalStateException("token store down");
            default -> Authorizer.Decision.forbidden("this token may not watch the board");
        };
    }

    private HttpResponse<String> get(String query, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(query == null ? uri : URI.create(uri + "?" + query))
                .header("Accept", "text/event-stream");
        if (header != null) {
            b.header(header, value);
        }
        return SseClient.HTTP1.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusedRequests_get401Or403Or500_andSubscribeNothing() throws Exception {
        Await.until(() -> HANDLER.openConnections() == 0, () -> "no stream open");
        HUB.publish(SseEvent.of("secret state"));
        long subscribedBefore = HUB.stats().subscribed();
        SseStats before = HANDLER.stats();

        HttpResponse<String> none = get(null, null, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"board\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("a token is needed\n", none.body());
        assertEquals("text/plain; charset=UTF-8", none.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<String> wrong = get("token=bad", null, null);
        assertEquals(403, wrong.statusCode());
        assertFalse(wrong.headers().firstValue("WWW-Authenticate").isPresent());
        assertEquals("this token may not watch the board\n", wrong.body());
        assertEquals(403, get(null, "Cookie", "session=bad").statusCode());

        HttpResponse<String> failing = get("token=boom", null, null);
        assertEquals(500, failing.statusCode());
        assertFalse(failing.body().contains("token store"), "no internals: " + failing.body());

        assertEquals(subscribedBefore, HUB.stats().subscribed(), "no subscription for a refused request");
        SseStats after = HANDLER.stats();
        assertEquals(before.accepted(), after.accepted());
        assertEquals(before.rejected(), after.rejected(), "refused before admission, not by it");
        assertEquals(0, HANDLER.openConnections());
    }

    @Test
    void authorizationComesBeforeAdmission() throws Exception {
        Await.until(() -> HANDLER.openConnections() == 0, () -> "no stream open");
        try (SseClient c = SseClient.of(SseClient.HTTP1.send(HttpRequest.newBuilder(URI.create(uri + "?token=good")).build(),
                HttpResponse.BodyHandlers.ofLines()))) {
            assertEquals(200, c.response.statusCode());
            assertEquals(1, HANDLER.openConnections(), "the one slot is taken");
            assertEquals(401, get(null, null, null).statusCode(), "not 503: a stranger learns nothing about load");
            assertEquals(503, get("token=good", null, null).statusCode(), "an authorized client meets admission");
        }
    }

    @Test
    void aTokenInTheQuery_aCookie_orAHeader_opensTheStream() throws Exception {
        long current = HUB.publish(SseEvent.of("state"));
        String[][] ways = {{"token=good", null, null}, {null, "Cookie", "session=good"}, {null, "X-Token", "good"}};
        for (String[] way : ways) {
            long subscribedBefore = HUB.stats().subscribed();
            URI u = way[0] == null ? uri : URI.create(uri + "?" + way[0]);
            HttpRequest.Builder b = HttpRequest.newBuilder(u).header("Accept", "text/event-stream");
            if (way[1] != null) {
                b.header(way[1], way[2]);
            }
            try (SseClient c = SseClient.of(SseClient.HTTP1.send(b.build(), HttpResponse.BodyHandlers.ofLines()))) {
                assertEquals(200, c.response.statusCode(), String.join(" ", String.valueOf(way[0]), String.valueOf(way[1])));
                assertEquals(new SseParser.Event(HUB.epoch() + "-" + current, "message", "state"), c.next());
                assertEquals(subscribedBefore + 1, HUB.stats().subscribed());
            }
            Await.until(() -> HANDLER.openConnections() == 0, () -> "the stream ended: its slot is free for the next way");
        }
    }

    @Test
    void decisions_checkWhatGoesIntoHeadersAndBodies() {
        assertThrows(IllegalArgumentException.class, () -> Authorizer.Decision.unauthorized(" ", "r"));
        assertThrows(IllegalArgumentException.class, () -> Authorizer.Decision.unauthorized("Bearer\r\nX: y", "r"));
        assertThrows(IllegalArgumentException.class, () -> Authorizer.Decision.forbidden("two\nlines"));
        assertEquals(403, Authorizer.Decision.forbidden("no").status());
        assertEquals(200, Authorizer.Decision.allow().status());
    }
}
