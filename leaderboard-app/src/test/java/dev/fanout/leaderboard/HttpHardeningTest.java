package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.sse.ConnectionGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP defects of issue 11, each reproduced over a bare socket with the exact request bytes:
 * request smuggling, {@code Connection: close}, malformed framing, timeouts, the listener's
 * reserve, input strictness and protocol manners. One app (embedded store, a game-server token,
 * one-second timeouts) serves the whole class; each test uses its own ids.
 */
class HttpHardeningTest {
    static final Duration ANSWER = Duration.ofSeconds(5);
    /** Every timeout is 1 s here; the guard checks twice a second: closed within 3 s. */
    static final Duration CLOSED = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    static LeaderboardApp app;
    static int port;

    @BeforeAll
    static void start() {
        app = TestApps.memory(dir.resolve("journal"), Map.of(
                "leaderboard.token", "tok",
                "leaderboard.timeouts.header", "PT1S",
                "leaderboard.timeouts.body", "PT1S",
                "leaderboard.timeouts.idle", "PT1S"));
        port = app.port();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static String game(String id, String p1, String p2) {
        return ApiContract.game(id, p1, p2, 0);
    }

    /** A whole, valid submission: what a smuggler hides in a body. */
    static String submission(String id, String p1, String p2) {
        String body = game(id, p1, p2);
        return "POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    static boolean known(String player) {
        return TestApps.get(app, "/player/" + player + "/stats").statusCode() == 200;
    }

    static RawHttp.Response exchange(String raw) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send(raw);
            return c.read(ANSWER);
        }
    }

    static JsonNode json(RawHttp.Response r) {
        try {
            return ApiContract.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    // ------------------------------------------------------------------ 3. request smuggling

    /** An answer, then the end of the connection, and the game hidden in the body never applied. */
    static void refusedAndClosed(String raw, String hiddenPlayer, int... statuses) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send(raw);
            RawHttp.Response r = c.read(ANSWER);
            assertNotNull(r, "an answer to\n" + raw);
            assertTrue(List.of(statuses.length == 0 ? new Integer[] {400} : box(statuses)).contains(r.status()),
                    r.status() + " " + r.body() + " for\n" + raw);
            assertTrue(c.closedWithin(CLOSED), "the connection ends after\n" + raw);
        }
        assertFalse(known(hiddenPlayer), "the hidden game was applied: " + raw);
    }

    private static Integer[] box(int[] v) {
        Integer[] out = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Test
    void contentLengthOverTheLimit_gets413_andTheBodyIsNeverReadAsARequest() throws IOException {
        String hidden = submission("smuggle-413", "hidden413", "other");
        String body = hidden + " ".repeat(5000 - hidden.length());
        refusedAndClosed("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer tok\r\nContent-Length: 5000\r\n\r\n" + body, "hidden413", 413);
    }

    @Test
    void contentLengthWithTransferEncoding_is400_andCloses() throws IOException {
        String hidden = submission("smuggle-clte", "hiddenClTe", "other");
        refusedAndClosed("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer tok\r\nContent-Length: " + (5 + hidden.length()) + "\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden, "hiddenClTe");
    }

    @Test
    void twoDifferentContentLengths_are400_andClose() throws IOException {
        String first = game("smuggle-2cl-outer", "outer2cl", "other");
        String hidden = submission("smuggle-2cl", "hidden2cl", "other");
        refusedAndClosed("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer tok\r\nContent-Length: " + first.length() + "\r\nContent-Length: "
                + (first.length() + hidden.length()) + "\r\n\r\n" + first + hidden, "hidden2cl");
        assertFalse(known("outer2cl"));
    }

    @Test
    void transferEncodingOtherThanChunked_isRefused_andCloses() throws IOException {
        int i = 0;
        for (String te : List.of("Chunked", "identity", "gzip, chunked")) {
            String hidden = submission("smuggle-te-" + i, "hiddenTe" + i, "other");
            refusedAndClosed("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer tok\r\nTransfer-Encoding: " + te + "\r\n\r\n" + hidden,
                    "hiddenTe" + i, 400, 501);
            i++;
        }
    }

    @Test
    void anErrorAnsweredBeforeTheBodyWasRead_closes() throws IOException {
        // 401 (no token) and 415 (text/plain) are decided before reading: the body is a request
        String hidden = submission("smuggle-401", "hidden401", "other");
        refusedAndClosed("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + hidden.length() + "\r\n\r\n" + hidden, "hidden401", 401);
        String hidden2 = submission("smuggle-415", "hidden415", "other");
        refusedAndClosed("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nAuthorization: Bearer tok\r\n"
                + "Content-Length: " + hidden2.length() + "\r\n\r\n" + hidden2, "hidden415", 415);
    }

    @Test
    void chunkedBody_isAccepted_andKeepsTheConnection() throws IOException {
        String body = game("chunked-ok", "chunkOk", "other");
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body
                    + "\r\n0\r\n\r\n");
            RawHttp.Response r = c.read(ANSWER);
            assertEquals(200, r.status(), r.body());
            c.send("GET /leaderboard HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read(ANSWER).status(), "kept alive");
        }
    }

    // ------------------------------------------------------------------ 4. Connection: close

    @Test
    void connectionClose_isHonoured() throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("GET /leaderboard HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Response r = c.read(ANSWER);
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedWithin(CLOSED), "closed after the response");
        }
        // a request pipelined after it is not answered
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("GET /leaderboard HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + submission("pipelined", "pipelined", "x"));
            assertEquals(200, c.read(ANSWER).status());
            assertTrue(c.closedWithin(CLOSED));
        }
        assertFalse(known("pipelined"));
    }

    // ------------------------------------------------------------------ 5. malformed framing

    @Test
    void malformedFraming_gets4xx_andLogsAtMostOneLine() throws IOException {
        String body = game("malformed", "malformed", "other");
        String head = "POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n";
        List<String> requests = List.of(
                "G@T /leaderboard HTTP/1.1\r\nHost: x\r\n\r\n", // not a method token: Helidon's 500
                head + "Content-Length: -5\r\n\r\n" + body,
                head + "Content-Length: -1\r\n\r\n" + body,
                head + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + ";e=1\r\n" + body + "\r\n0\r\n\r\n",
                head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n",
                head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n" + body + "\r\n0\r\n\r\n");
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                    synchronized (logged) {
                        logged.add(r);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(capture);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int round = 0; round < 34; round++) { // 204 requests, about 40 at a time
                for (String raw : requests) {
                    done.add(pool.submit(() -> {
                        try (RawHttp c = RawHttp.connect(port)) {
                            c.send(raw);
                            RawHttp.Response r = c.read(ANSWER);
                            assertNotNull(r, "an answer to\n" + raw);
                            assertTrue(r.status() >= 400 && r.status() < (raw.startsWith("G@T") ? 501 : 500),
                                r.status() + " " + r.body() + " for\n" + raw);
                            assertTrue(c.closedWithin(CLOSED), "closed after\n" + raw);
                        }
                        return null;
                    }));
                }
                if (done.size() >= 40) {
                    for (var f : done) {
                        f.get(); // rethrows a failed assertion here, on the test's thread
                    }
                    done.clear();
                }
            }
            for (var f : done) {
                f.get();
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(e);
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
        assertTrue(logged.size() <= 1, logged.size() + " log records, e.g. " + (logged.isEmpty() ? "" : logged.getFirst().getMessage()));
        assertFalse(known("malformed"));
    }

    // ------------------------------------------------------------------ 6. timeouts and the reserve

    @Test
    void silentAndSlowClients_areClosedByTheHeaderTimeout() throws IOException {
        long before = app.guard().closed(ConnectionGuard.Reason.HEADER_TIMEOUT);
        try (RawHttp silent = RawHttp.connect(port);
             RawHttp partialLine = RawHttp.connect(port).send("GET /leader");
             RawHttp partialHeaders = RawHttp.connect(port).send("GET /leaderboard HTTP/1.1\r\nHost: x\r\n");
             RawHttp slowloris = RawHttp.connect(port).send("GET /leaderboard HTTP/1.1\r\n")) {
            for (int i = 0; i < 4; i++) {
                slowloris.send("X-" + i + ": y\r\n"); // a header line every 300 ms: each read makes progress
                sleep(300);
            }
            assertTrue(silent.closedWithin(CLOSED), "silent");
            assertTrue(partialLine.closedWithin(CLOSED), "part of a request line");
            assertTrue(partialHeaders.closedWithin(CLOSED), "part of the headers");
            assertTrue(slowloris.closedWithin(CLOSED), "headers trickled in");
        }
        assertTrue(app.guard().closed(ConnectionGuard.Reason.HEADER_TIMEOUT) - before >= 4);
    }

    @Test
    void unfinishedBodies_areClosedByTheBodyTimeout() throws IOException {
        String head = "POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n";
        try (RawHttp shortBody = RawHttp.connect(port).send(head + "Content-Length: 100\r\n\r\n{\"game_id\":");
             RawHttp endlessChunks = RawHttp.connect(port).send(head + "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"ga\r\n")) {
            assertTrue(shortBody.closedWithin(CLOSED), "fewer bytes than Content-Length");
            assertTrue(endlessChunks.closedWithin(CLOSED), "a chunked body with no end");
        }
    }

    @Test
    void keptAliveConnection_isClosedByTheIdleTimeout_butAStreamIsNot() throws IOException {
        try (RawHttp c = RawHttp.connect(port);
             RawHttp stream = RawHttp.connect(port)) {
            c.send("GET /leaderboard HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read(ANSWER).status());
            stream.send("GET /stream-leaderboard HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
            assertEquals(200, stream.readHead(ANSWER).status());
            assertTrue(c.closedWithin(CLOSED), "idle after its response");
            assertFalse(stream.closedWithin(Duration.ofSeconds(3)), "a stream is not idle: it writes");
        }
    }

    @Test
    void streamRefusedWith503_isClosed() throws IOException {
        try (LeaderboardApp small = TestApps.memory(dir.resolve("journal-503"), Map.of("leaderboard.limits.streams", "1",
                "server.max-tcp-connections", "50", "leaderboard.limits.reserve", "8"));
             RawHttp first = RawHttp.connect(small.port());
             RawHttp second = RawHttp.connect(small.port())) {
            first.send("GET /stream-leaderboard HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, first.readHead(ANSWER).status());
            second.send("GET /stream-leaderboard HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response refused = second.read(ANSWER);
            assertEquals(503, refused.status());
            assertNotNull(refused.header("Retry-After"));
            assertEquals("close", refused.header("Connection"));
            assertTrue(second.closedWithin(CLOSED), "a refused client does not keep its connection");
        }
    }

    @Test
    void silentConnections_cannotTakeTheReserve() throws IOException {
        // 40 permits, 8 reserved: 60 silent connections (the last 20 wait in the backlog, as
        // they would at a full listener) and requests are still answered at once
        try (LeaderboardApp small = TestApps.memory(dir.resolve("journal-reserve"), Map.of(
                "server.max-tcp-connections", "40", "leaderboard.limits.reserve", "8",
                "leaderboard.timeouts.header", "PT60S"))) {
            List<RawHttp> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 60; i++) {
                    silent.add(RawHttp.connect(small.port()));
                }
                for (int i = 0; i < 5; i++) {
                    try (RawHttp c = RawHttp.connect(small.port())) {
                        c.send("GET /leaderboard HTTP/1.1\r\nHost: x\r\n\r\n");
                        RawHttp.Response r = c.read(ANSWER);
                        assertNotNull(r, "request " + i + " answered while 60 silent connections wait");
                        assertEquals(200, r.status());
                    }
                }
                assertTrue(small.guard().closed(ConnectionGuard.Reason.EVICTED) > 0);
                assertTrue(small.guard().openConnections() <= 40, "open " + small.guard().openConnections());
            } finally {
                for (RawHttp c : silent) {
                    c.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------ 7. input strictness

    @Test
    void overlongUtf8_is400() throws IOException {
        byte[] body = "{\"game_id\":\"utf\",\"server_id\":\"s\",\"player1_id\":\"p\u00ff\u00ffa\",\"player2_id\":\"b\",\"result\":0}"
                .getBytes(StandardCharsets.UTF_8);
        // replace the two U+00FF (C3 BF each) by C0 AF, the overlong form of '/'
        byte[] raw = new byte[body.length - 2];
        int j = 0;
        for (int i = 0; i < body.length; i++) {
            if ((body[i] & 0xFF) == 0xC3 && (body[i + 1] & 0xFF) == 0xBF && (body[i + 2] & 0xFF) == 0xC3) {
                raw[j++] = (byte) 0xC0;
                raw[j++] = (byte) 0xAF;
                i += 3;
            } else {
                raw[j++] = body[i];
            }
        }
        try (RawHttp c = RawHttp.connect(port)) {
            c.send(("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n"
                    + "Content-Length: " + raw.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            c.send(raw);
            RawHttp.Response r = c.read(ANSWER);
            assertEquals(400, r.status(), r.body());
            assertTrue(json(r).get("message").asText().contains("UTF-8"), r.body());
        }
        assertFalse(known("p%2Fa"));
    }

    @Test
    void wildcardContentTypes_are415() throws IOException {
        for (String type : List.of("*/*", "application/*", "application/json; charset=iso-8859-1")) {
            String body = game("ct-" + type.length(), "ctPlayer" + type.length(), "other");
            RawHttp.Response r = exchange("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                    + "\r\nAuthorization: Bearer tok\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertEquals(415, r.status(), type + ": " + r.body());
        }
    }

    @Test
    void invisibleOrAmbiguousIds_are400() throws IOException {
        List<String> bad = List.of("evil\u202Eeman", "zero\u200Bwidth", "\uFEFFbom", " lead", "trail ", "team/alice", "..",
                "a\u2028b", "join\u2060er");
        for (String id : bad) {
            String body = game("bad-id-" + bad.indexOf(id), id, "other");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            RawHttp.Response r;
            try (RawHttp c = RawHttp.connect(port)) {
                c.send(("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                c.send(bytes);
                r = c.read(ANSWER);
            }
            assertEquals(400, r.status(), id + ": " + r.body());
            assertEquals("player1_id", json(r).get("field").asText(), r.body());
        }
    }

    @Test
    void everyAcceptedId_roundTripsThroughTheStatsUrl() throws IOException {
        List<String> ids = List.of("a b", "100%", "x?y", "#1", "ü", "a+b", "a;b", "a.b", "...", "x\\y", "日本", "a&b=c");
        for (String id : ids) {
            String body = game("rt-" + ids.indexOf(id), id, "rtOther");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (RawHttp c = RawHttp.connect(port)) {
                c.send(("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer tok\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                c.send(bytes);
                assertEquals(200, c.read(ANSWER).status(), id);
                c.send("GET /player/" + pathSegment(id) + "/stats HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response r = c.read(ANSWER);
                assertEquals(200, r.status(), id + " -> " + pathSegment(id) + ": " + r.body());
                assertEquals(id, json(r).get("player").asText());
            }
        }
    }

    /** Percent-encodes every byte outside RFC 3986's unreserved set. */
    static String pathSegment(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ 8. protocol manners

    @Test
    void http10_isAnswered_andClosed() throws IOException {
        for (String raw : List.of("GET /leaderboard HTTP/1.0\r\n\r\n", "GET /leaderboard HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")) {
            try (RawHttp c = RawHttp.connect(port)) {
                c.send(raw);
                RawHttp.Response r = c.read(ANSWER);
                assertNotNull(r, raw);
                assertEquals(200, r.status(), raw);
                assertTrue(json(r).has("version"), r.body());
                assertTrue(c.closedWithin(CLOSED), raw);
            }
        }
    }

    @Test
    void head_isServed_otherMethodsGet405WithAllow() throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("HEAD /leaderboard HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response head = c.readHead(ANSWER);
            assertEquals(200, head.status());
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 0);
            c.send("GET /leaderboard HTTP/1.1\r\nHost: x\r\n\r\n"); // no body came with the HEAD answer
            RawHttp.Response get = c.read(ANSWER);
            assertEquals(200, get.status());
            assertEquals(head.header("Content-Length"), get.header("Content-Length"));
        }
        record Case(String request, String allow) {
        }
        for (Case k : List.of(new Case("DELETE /leaderboard", "GET, HEAD"), new Case("GET /submit-game", "POST"),
                new Case("PUT /player/x/stats", "GET, HEAD"), new Case("POST /metrics", "GET"),
                new Case("POST /stream-leaderboard", "GET"))) {
            RawHttp.Response r = exchange(k.request() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertEquals(405, r.status(), k.request());
            assertEquals(k.allow(), r.header("Allow"), k.request());
            assertEquals("method_not_allowed", json(r).get("error").asText());
        }
        RawHttp.Response missing = exchange("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(404, missing.status());
        assertEquals("not_found", json(missing).get("error").asText());
    }

    @Test
    void errorsRaisedByTheServer_haveJsonBodies() throws IOException {
        RawHttp.Response tooLong = exchange("GET /leaderboard?" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertNotNull(tooLong, "an answer to a 70 kB request line");
        assertEquals(414, tooLong.status());
        assertTrue(tooLong.header("Content-Type").startsWith("application/json"));
        assertNotNull(json(tooLong).get("error"));
        String body = game("ct-syntax", "ctSyntax", "other");
        RawHttp.Response badType = exchange("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: ;;;/\r\n"
                + "Authorization: Bearer tok\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertEquals(400, badType.status());
        assertNotNull(json(badType).get("error"), badType.body());
        RawHttp.Response badHeader = exchange("GET /leaderboard HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
        assertEquals(400, badHeader.status());
        assertNotNull(json(badHeader).get("error"), badHeader.body());
    }

    @Test
    void bearerScheme_isCaseInsensitive_andTwoAuthorizationHeadersAre400() throws IOException {
        for (String scheme : List.of("bearer", "BEARER", "Bearer")) {
            String body = game("auth-" + scheme, "auth" + scheme, "other");
            RawHttp.Response r = exchange("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: " + scheme + " tok\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertEquals(200, r.status(), scheme + ": " + r.body());
        }
        String body = game("auth-dup", "authDup", "other");
        for (String pair : List.of("Authorization: Bearer tok\r\nAuthorization: Bearer nope\r\n",
                "Authorization: Bearer nope\r\nAuthorization: Bearer tok\r\n")) {
            RawHttp.Response r = exchange("POST /submit-game HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + pair + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            assertEquals(400, r.status(), r.body());
            assertEquals("duplicate_header", json(r).get("error").asText());
        }
        assertFalse(known("authDup"));
        assertNull(null);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
