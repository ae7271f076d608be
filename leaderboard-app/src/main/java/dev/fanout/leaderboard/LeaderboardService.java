package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
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
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The HTTP API of DESIGN.md section 4, except {@code /metrics} (Helidon's metrics observer) and
 * {@code /stream-leaderboard} (fanout-sse's handler, see {@link LeaderboardApp}).
 *
 * <p>Every response body is JSON written by Jackson, errors included:
 * {@code {"error":"invalid_field","field":"result","message":"result: 3 (expected: 0, 1 or 2)"}}.
 * Checks on {@code POST /submit-game} run in this order: 401, 415, 413, 400; a rejected request
 * changes nothing.
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
    private final byte[] tokenHeader;
    private final byte[] page;

    LeaderboardService(LeaderboardConfig config, LeaderboardStore store, ChangeFeed feed, AppMetrics metrics,
                       ObjectMapper mapper) {
        this.config = config;
        this.store = store;
        this.feed = feed;
        this.metrics = metrics;
        this.mapper = mapper;
        this.parser = new SubmissionParser(mapper, config.maxIdLength());
        this.tokenHeader = config.token().map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).orElse(null);
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
                .get("/player/{id}/stats", this::stats)
                .get("/", this::page);
    }

    // ------------------------------------------------------------------ POST /submit-game

    private void submit(ServerRequest req, ServerResponse res) {
        if (tokenHeader != null) {
            Optional<String> auth = req.headers().first(HeaderNames.AUTHORIZATION);
            if (auth.isEmpty() || !MessageDigest.isEqual(tokenHeader, auth.get().getBytes(StandardCharsets.UTF_8))) {
                metrics.submission(AppMetrics.Outcome.UNAUTHORIZED);
                res.header(HeaderValues.create(HeaderNames.WWW_AUTHENTICATE, "Bearer"));
                error(res, Status.UNAUTHORIZED_401, "unauthorized", null, auth.isEmpty()
                        ? "missing Authorization header (expected: Bearer <game-server token>)"
                        : "wrong token (expected: Authorization: Bearer <game-server token>)");
                return;
            }
        }
        Optional<HttpMediaType> type = req.headers().contentType();
        if (type.isEmpty() || !type.get().test(MediaTypes.APPLICATION_JSON)) {
            metrics.submission(AppMetrics.Outcome.UNSUPPORTED_TYPE);
            error(res, Status.UNSUPPORTED_MEDIA_TYPE_415, "unsupported_media_type", null, "Content-Type: "
                    + type.map(HttpMediaType::text).orElse("missing") + " (expected: application/json)");
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
            error(res, Status.BAD_REQUEST_400, e.field() == null ? "malformed_body" : "invalid_field", e.field(),
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
            error(res, Status.SERVICE_UNAVAILABLE_503, "outcome_unknown", null,
                    "the store did not answer in time; the game may or may not have been applied (or may be"
                            + " applied later): retry with the same game_id, which is safe, since a game is"
                            + " applied at most once (a retry answers duplicate if it was): " + e.getMessage());
            return;
        } catch (StoreUnavailableException e) {
            metrics.submission(AppMetrics.Outcome.UNAVAILABLE);
            res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, "1"));
            error(res, Status.SERVICE_UNAVAILABLE_503, "store_unavailable", null,
                    "the store cannot take games right now; nothing was applied, retry the same game_id: "
                            + e.getMessage());
            return;
        } finally {
            metrics.storeLatency(AppMetrics.Op.APPLY, start);
        }
        boolean duplicate = applied == Applied.DUPLICATE;
        metrics.submission(duplicate ? AppMetrics.Outcome.DUPLICATE : AppMetrics.Outcome.APPLIED);
        json(res, Status.OK_200, new Json.SubmitBody(game.gameId(), duplicate ? "duplicate" : "applied", duplicate));
    }

    /** @return the body, or null after answering 413 */
    private byte[] readBody(ServerRequest req, ServerResponse res) {
        int max = config.maxBodyBytes();
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            tooLarge(res, declared.getAsLong() + " bytes");
            return null;
        }
        if (declared.isPresent() && declared.getAsLong() == 0 || !req.content().hasEntity()) {
            // an empty body: reading it would wait forever for HTTP/2 DATA that never comes
            // (Helidon 4.3.0, a POST with no body over h2c, as the JDK HttpClient sends by default)
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                tooLarge(res, "more than " + max + " bytes");
                return null;
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("cannot read the request body", e instanceof IOException io ? io
                    : ((UncheckedIOException) e).getCause());
        }
    }

    private void tooLarge(ServerResponse res, String size) {
        metrics.submission(AppMetrics.Outcome.TOO_LARGE);
        res.header(HeaderValues.CONNECTION_CLOSE);
        error(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "body_too_large", null,
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
                error(res, Status.BAD_REQUEST_400, "invalid_parameter", "limit",
                        "limit: " + raw + " (expected: an integer from 1 to " + config.maxLimit() + ")");
                return;
            }
        }
        long start = System.nanoTime();
        try {
            Board b = store.top(limit);
            json(res, Status.OK_200, new Json.LeaderboardBody(b.version(), b.standings(), null));
        } catch (StoreUnavailableException e) {
            Optional<Snapshot> last = feed.latest();
            if (last.isEmpty()) {
                unavailable(res, e);
                return;
            }
            // serve the last state the feed saw, marked stale
            List<Standing> entries = last.get().entries();
            entries = entries.subList(0, Math.min(limit, entries.size()));
            json(res, Status.OK_200, new Json.LeaderboardBody(last.get().version(), entries, Boolean.TRUE));
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
                unavailable(res, e);
                return;
            }
        } finally {
            metrics.storeLatency(AppMetrics.Op.STANDING, start);
        }
        if (s.isEmpty()) {
            error(res, Status.NOT_FOUND_404, "unknown_player", "id", "player " + player + ": no game mentions it");
            return;
        }
        json(res, Status.OK_200, s.get());
    }

    // ------------------------------------------------------------------ GET /

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8"));
        res.send(page);
    }

    // ------------------------------------------------------------------ helpers

    private void unavailable(ServerResponse res, StoreUnavailableException e) {
        res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, "1"));
        error(res, Status.SERVICE_UNAVAILABLE_503, "store_unavailable", null, e.getMessage());
    }

    private void error(ServerResponse res, Status status, String code, String field, String message) {
        json(res, status, new Json.ErrorBody(code, field, message));
    }

    private void json(ServerResponse res, Status status, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(Objects.requireNonNull(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + body.getClass().getSimpleName(), e);
        }
        res.status(status);
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, JSON));
        res.send(bytes);
    }
}
