package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The HTTP API of DESIGN.md section 4, except {@code /metrics} ({@link AppMetrics#scrape()}) and
 * {@code /stream-leaderboard} (fanout-sse's handler, see {@link LeaderboardApp}).
 *
 * <p>Every response body is JSON written by Jackson, errors included:
 * {@code {"error":"invalid_field","field":"result","message":"result: 3 (expected: 0, 1 or 2)"}}.
 * Checks on {@code POST /submit-game} run in this order: 400 (two {@code Authorization}
 * headers), 401, 415, 413, 400; a rejected request changes nothing, and an error answered
 * before its body was read closes the connection ({@code Connection: close}), so unread body
 * bytes are never taken for a next request. {@code HEAD} is served wherever {@code GET} is
 * (headers only); another method on a known path gets 405 with {@code Allow}
 * ({@link #notFound}).
 *
 * <p>Thread-safe: handlers run concurrently on virtual threads and share only immutable state,
 * the thread-safe store, feed and metrics.
 */
final class LeaderboardService implements HttpService {

    private static final String JSON = "application/json";

    private final LeaderboardConfig config;
    private final LeaderboardStore store;
    private final ChangeFeed feed;
    private final AppMetrics metrics;
    private final ObjectMapper mapper;
    private final SubmissionParser parser;
    private final byte[] token;
    private final byte[] page;

    LeaderboardService(LeaderboardConfig config, LeaderboardStore store, ChangeFeed feed, AppMetrics metrics,
                       ObjectMapper mapper) {
        this.config = config;
        this.store = store;
        this.feed = feed;
        this.metrics = metrics;
        this.mapper = mapper;
        this.parser = new SubmissionParser(mapper, config.maxIdLength());
        this.token = config.token().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.page = resource("/web/index.html");
    }

    private static byte[] resource(String name) {
        try (InputStream in = LeaderboardService.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/submit-game", this::submit)
                .get("/leaderboard", this::leaderboard)
                .head("/leaderboard", this::leaderboard)
                .get("/player/{id}/stats", this::stats)
                .head("/player/{id}/stats", this::stats)
                .get("/", this::page)
                .head("/", this::page);
    }

    /** The methods each path takes, for 405 answers; the last two are served by the app. */
    private static final List<Map.Entry<Pattern, String>> ALLOWED = List.of(
            Map.entry(Pattern.compile("/submit-game"), "POST"),
            Map.entry(Pattern.compile("/leaderboard"), "GET, HEAD"),
            Map.entry(Pattern.compile("/player/[^/]+/stats"), "GET, HEAD"),
            Map.entry(Pattern.compile("/"), "GET, HEAD"),
            Map.entry(Pattern.compile("/stream-leaderboard"), "GET"),
            Map.entry(Pattern.compile("/metrics"), "GET"));

    /**
     * Routing's error handler for a {@link NotFoundException}: as {@link #unrouted}.
     */
    void notFound(ServerRequest req, ServerResponse res, NotFoundException e) {
        unrouted(req, res);
    }

    /**
     * The last route, for requests no other route took: 405 with {@code Allow} for a known path
     * with another method, 404 otherwise; both with a JSON body. (Helidon answers a request that
     * no route matches through the direct handler, not the error handlers, unless a filter ran.)
     */
    void unrouted(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        for (Map.Entry<Pattern, String> a : ALLOWED) {
            if (a.getKey().matcher(path).matches()) {
                res.header(HeaderValues.create(HeaderNames.ALLOW, a.getValue()));
                error(req, res, Status.METHOD_NOT_ALLOWED_405, "method_not_allowed", null,
                        req.prologue().method().text() + " " + path + " (expected: " + a.getValue() + ")");
                return;
            }
        }
        error(req, res, Status.NOT_FOUND_404, "not_found", null, "no resource at " + path);
    }

    /**
     * Routing's error handler for a stream request that this instance cannot resume from its
     * {@code Last-Event-ID} without going back (Redis mode): 503 {@code not_caught_up} with
     * {@code Retry-After}, so the client tries again, here or on another instance.
     */
    void notCaughtUp(ServerRequest req, ServerResponse res, ClusterSnapshots.NotCaughtUp e) {
        res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, "1"));
        error(req, res, Status.SERVICE_UNAVAILABLE_503, "not_caught_up", null, e.getMessage());
    }

    // ------------------------------------------------------------------ POST /submit-game

    private void submit(ServerRequest req, ServerResponse res) {
        if (token != null) {
            List<String> auth = req.headers().contains(HeaderNames.AUTHORIZATION)
                    ? req.headers().get(HeaderNames.AUTHORIZATION).allValues() : List.of();
            if (auth.size() > 1) {
                metrics.submission(AppMetrics.Outcome.UNAUTHORIZED);
                error(req, res, Status.BAD_REQUEST_400, "duplicate_header", null, "Authorization: given "
                        + auth.size() + " times (expected: once)");
                return;
            }
            if (auth.isEmpty() || !bearer(auth.getFirst())) {
                metrics.submission(AppMetrics.Outcome.UNAUTHORIZED);
                res.header(HeaderValues.create(HeaderNames.WWW_AUTHENTICATE, "Bearer"));
                error(req, res, Status.UNAUTHORIZED_401, "unauthorized", null, auth.isEmpty()
                        ? "missing Authorization header (expected: Bearer <game-server token>)"
                        : "wrong token (expected: Authorization: Bearer <game-server token>)");
                return;
            }
        }
        Optional<HttpMediaType> type;
        try {
            type = req.headers().contentType();
        } catch (RuntimeException e) {
            metrics.submission(AppMetrics.Outcome.INVALID);
            error(req, res, Status.BAD_REQUEST_400, "malformed_header", null,
                    "Content-Type: cannot be parsed (expected: application/json)");
            return;
        }
        if (type.isEmpty() || !json(type.get())) {
            metrics.submission(AppMetrics.Outcome.UNSUPPORTED_TYPE);
            error(req, res, Status.UNSUPPORTED_MEDIA_TYPE_415, "unsupported_media_type", null, "Content-Type: "
                    + type.map(HttpMediaType::text).orElse("missing")
                    + " (expected: application/json, optionally with charset=utf-8)");
            return;
        }
        byte[] body = readBody(req, res);
        if (body == null) {
            return;
        }
        Game game;
        try {
            game = parser.parse(body);
        } catch (SubmissionParser.Invalid e) {
            metrics.submission(AppMetrics.Outcome.INVALID);
            error(req, res, Status.BAD_REQUEST_400, e.field() == null ? "malformed_body" : "invalid_field", e.field(),
                    e.getMessage());
            return;
        }
        Applied applied;
        long start = System.nanoTime();
        try {
            applied = store.apply(game);
        } catch (StoreOutcomeUnknownException e) {
            metrics.submission(AppMetrics.Outcome.UNKNOWN);
            res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, "1"));
            error(req, res, Status.SERVICE_UNAVAILABLE_503, "outcome_unknown", null,
                    "the store did not answer in time; the game may or may not have been applied (or may be"
                            + " applied later): retry with the same game_id, which is safe, since a game is"
                            + " applied at most once (a retry answers duplicate if it was): " + e.getMessage());
            return;
        } catch (StoreUnavailableException e) {
            metrics.submission(AppMetrics.Outcome.UNAVAILABLE);
            res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, "1"));
            error(req, res, Status.SERVICE_UNAVAILABLE_503, "store_unavailable", null,
                    "the store cannot take games right now; nothing was applied, retry the same game_id: "
                            + e.getMessage());
            return;
        } finally {
            metrics.storeLatency(AppMetrics.Op.APPLY, start);
        }
        boolean duplicate = applied == Applied.DUPLICATE;
        metrics.submission(duplicate ? AppMetrics.Outcome.DUPLICATE : AppMetrics.Outcome.APPLIED);
        json(req, res, Status.OK_200, new Json.SubmitBody(game.gameId(), duplicate ? "duplicate" : "applied", duplicate));
    }

    /** Checks {@code Authorization: Bearer <token>}; the scheme is case-insensitive (RFC 9110 11.1). */
    private boolean bearer(String value) {
        String v = value.strip();
        int space = v.indexOf(' ');
        if (space < 0 || !v.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false;
        }
        return MessageDigest.isEqual(token, v.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8));
    }

    /** @return true for {@code application/json} exactly (no wildcards), in UTF-8 if a charset is named */
    private static boolean json(HttpMediaType type) {
        return type.mediaType().type().equalsIgnoreCase("application")
                && type.mediaType().subtype().equalsIgnoreCase("json")
                && type.charset().map(c -> c.equalsIgnoreCase("utf-8")).orElse(true);
    }

    /** @return the body, or null after answering 413 or 400 */
    private byte[] readBody(ServerRequest req, ServerResponse res) {
        int max = config.maxBodyBytes();
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            tooLarge(req, res, declared.getAsLong() + " bytes");
            return null;
        }
        if (declared.isPresent() && declared.getAsLong() == 0 || !req.content().hasEntity()) {
            // an empty body: reading it would wait forever for HTTP/2 DATA that never comes
            // (Helidon 4.3.0, a POST with no body over h2c, as the JDK HttpClient sends by default; kept on 4.5.0)
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                tooLarge(req, res, "more than " + max + " bytes");
                return null;
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw e; // the connection failed or was closed (a read timeout): nothing to answer
        } catch (RuntimeException e) {
            // Helidon's chunked decoder fails on a chunk size it cannot parse (zz, 2^64-1, an
            // extension): the client's framing is wrong, not the server
            metrics.submission(AppMetrics.Outcome.INVALID);
            error(req, res, Status.BAD_REQUEST_400, "malformed_body", null,
                    "the body's chunked framing cannot be read (expected: chunk sizes in hex, no chunk extensions)");
            return null;
        }
    }

    private void tooLarge(ServerRequest req, ServerResponse res, String size) {
        metrics.submission(AppMetrics.Outcome.TOO_LARGE);
        error(req, res, Status.REQUEST_ENTITY_TOO_LARGE_413, "body_too_large", null,
                "body: " + size + " (expected: at most " + config.maxBodyBytes() + " bytes)");
    }

    // ------------------------------------------------------------------ GET /leaderboard

    private void leaderboard(ServerRequest req, ServerResponse res) {
        int limit = feed.topK();
        if (req.query().contains("limit")) {
            String raw = req.query().get("limit");
            try {
                limit = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > config.maxLimit()) {
                error(req, res, Status.BAD_REQUEST_400, "invalid_parameter", "limit",
                        "limit: " + raw + " (expected: an integer from 1 to " + config.maxLimit() + ")");
                return;
            }
        }
        long start = System.nanoTime();
        try {
            Board b = store.top(limit);
            json(req, res, Status.OK_200, new Json.LeaderboardBody(b.version(), b.standings(), null));
        } catch (StoreUnavailableException e) {
            Optional<Snapshot> last = feed.latest();
            if (last.isEmpty()) {
                unavailable(req, res, e);
                return;
            }
            // serve the last state the feed saw, marked stale
            List<Standing> entries = last.get().entries();
            entries = entries.subList(0, Math.min(limit, entries.size()));
            json(req, res, Status.OK_200, new Json.LeaderboardBody(last.get().version(), entries, Boolean.TRUE));
        } finally {
            metrics.storeLatency(AppMetrics.Op.TOP, start);
        }
    }

    // ------------------------------------------------------------------ GET /player/{id}/stats

    private void stats(ServerRequest req, ServerResponse res) {
        String player = req.path().pathParameters().get("id");
        long start = System.nanoTime();
        Optional<Standing> s;
        try {
            s = store.standing(player);
        } catch (StoreUnavailableException e) {
            // the last snapshot still knows the players at the top
            s = feed.latest().flatMap(l -> l.entries().stream().filter(x -> x.player().equals(player)).findFirst());
            if (s.isEmpty()) {
                unavailable(req, res, e);
                return;
            }
        } finally {
            metrics.storeLatency(AppMetrics.Op.STANDING, start);
        }
        if (s.isEmpty()) {
            error(req, res, Status.NOT_FOUND_404, "unknown_player", "id", "player " + player + ": no game mentions it");
            return;
        }
        json(req, res, Status.OK_200, s.get());
    }

    // ------------------------------------------------------------------ GET /

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8"));
        send(req, res, page);
    }

    // ------------------------------------------------------------------ helpers

    private void unavailable(ServerRequest req, ServerResponse res, StoreUnavailableException e) {
        res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, "1"));
        error(req, res, Status.SERVICE_UNAVAILABLE_503, "store_unavailable", null, e.getMessage());
    }

    /**
     * An error answer; when the request has a body that was not read, the connection closes
     * after it (RFC 9112 9.3), so its bytes are never read as a next request.
     */
    private void error(ServerRequest req, ServerResponse res, Status status, String code, String field,
                       String message) {
        if (req.content().hasEntity() && !req.content().consumed() && req.prologue().protocolVersion().startsWith("1.")) {
            res.header(HeaderValues.CONNECTION_CLOSE); // HTTP/1 only: HTTP/2 forbids the header (and has no such risk)
        }
        json(req, res, status, new Json.ErrorBody(code, field, message));
    }

    private void json(ServerRequest req, ServerResponse res, Status status, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(Objects.requireNonNull(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + body.getClass().getSimpleName(), e);
        }
        res.status(status);
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, JSON));
        send(req, res, bytes);
    }

    /** Sends the body, or for {@code HEAD} only its length. */
    private static void send(ServerRequest req, ServerResponse res, byte[] bytes) {
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, bytes.length));
            res.send();
        } else {
            res.send(bytes);
        }
    }
}
