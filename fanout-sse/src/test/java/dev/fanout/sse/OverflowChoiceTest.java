package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code ?overflow=ALIAS} over a real socket: an allowed strategy is used (seen in a resume: a
 * {@code latest-only} stream replays only the newest message, a {@code drop-oldest} one all of
 * them), anything else is a 400 naming the allowed aliases, and nothing is subscribed for it.
 */
@ServerTest
class OverflowChoiceTest {
    static final Hub<SseEvent> HUB = Hub.<SseEvent>builder().name("choices").history(History.last(100)).build();
    static final SseHandler<SseEvent> HANDLER = SseHandler.builder(HUB)
            .overflowChoices(Overflow.dropOldest(), Overflow.slowProducer(Duration.ofMillis(250)))
            .capacity(64)
            .build();
    static final Hub<SseEvent> PLAIN = Hub.<SseEvent>builder().name("no-choices").history(History.last(100)).build();
    static final SseHandler<SseEvent> PLAIN_HANDLER = SseHandler.builder(PLAIN).build();

    private final URI uri;
    private final URI plain;

    OverflowChoiceTest(URI uri) {
        this.uri = uri.resolve("/choices");
        this.plain = uri.resolve("/plain");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.get("/choices", HANDLER).get("/plain", PLAIN_HANDLER);
    }

    private static URI with(URI base, String overflow) {
        return overflow == null ? base : URI.create(base + "?overflow=" + URLEncoder.encode(overflow, StandardCharsets.UTF_8));
    }

    /** Publishes four messages, then resumes from before them: what the stream's strategy keeps of the replay. */
    private static String replayed(Hub<SseEvent> hub, URI u) throws Exception {
        long from = hub.publish(SseEvent.of("before"));
        for (int i = 1; i <= 4; i++) {
            hub.publish(SseEvent.of("m" + i));
        }
        StringBuilder got = new StringBuilder();
        try (SseClient c = SseClient.open(SseClient.HTTP1, u, hub.epoch() + "-" + from)) {
            assertEquals(200, c.response.statusCode());
            SseParser.Event e;
            do {
                e = c.next();
                got.append(got.isEmpty() ? "" : " ").append(e.data());
            } while (!e.data().equals("m4"));
            assertNull(c.poll(Duration.ofMillis(100)), "nothing more");
        }
        return got.toString();
    }

    @Test
    void noParameter_getsTheDefault() throws Exception {
        assertEquals("m4", replayed(HUB, uri), "latest-only: the newest only");
    }

    @Test
    void anAllowedChoice_isUsed() throws Exception {
        assertEquals("m1 m2 m3 m4", replayed(HUB, with(uri, "drop-oldest")), "drop-oldest keeps every replayed message");
        assertEquals("m1 m2 m3 m4", replayed(HUB, with(uri, " Drop-Oldest ")), "read as Overflow.parse reads it");
        assertEquals("m1 m2 m3 m4", replayed(HUB, with(uri, "slow-producer:250ms")));
        assertEquals("m4", replayed(HUB, with(uri, "latest-only")), "the default is always allowed");
    }

    @Test
    void anythingElse_is400NamingTheAllowedAliases_andSubscribesNothing() throws Exception {
        long subscribedBefore = HUB.stats().subscribed();
        long acceptedBefore = HANDLER.stats().accepted();
        // disconnect: not allowed; drop-oldest:256 and slow-producer:1s: not equal to an allowed
        // one (drop-oldest takes no parameter); garbage
        for (String alias : new String[] {"disconnect", "drop-oldest:256", "slow-producer:1s", "elastic-workers:1..2", "x\ny", ""}) {
            HttpResponse<String> r = SseClient.HTTP1.send(HttpRequest.newBuilder(with(uri, alias)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), alias);
            assertTrue(r.body().endsWith("(expected one of: latest-only, drop-oldest, slow-producer:250ms)\n"), r.body());
            assertTrue(r.body().startsWith("overflow: \"" + alias.replace("\n", "\\n") + "\""), r.body());
        }
        assertEquals(subscribedBefore, HUB.stats().subscribed(), "nothing subscribed");
        assertEquals(acceptedBefore, HANDLER.stats().accepted());
    }

    @Test
    void withoutChoices_theParameterIsIgnored() throws Exception {
        assertEquals("m4", replayed(PLAIN, with(plain, "drop-oldest")));
    }

    @Test
    void choices_areCheckedWhenBuilt() {
        Hub<SseEvent> hub = Hub.<SseEvent>builder().build();
        assertThrows(IllegalArgumentException.class, () -> SseHandler.builder(hub)
                .overflowChoices(Overflow.elasticWorkers(1, 2, 0, Duration.ofSeconds(1))));
        assertThrows(IllegalArgumentException.class, () -> SseHandler.builder(hub).overflowChoices());
        assertThrows(IllegalStateException.class, () -> SseHandler.builder(hub)
                .overflowChoices(Overflow.dropOldest()).overflowChoices(Overflow.dropNewest()));
    }
}
