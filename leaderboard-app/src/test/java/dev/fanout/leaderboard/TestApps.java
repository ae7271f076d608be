package dev.fanout.leaderboard;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Starts apps for tests on an ephemeral loopback port, and a real HTTP client to call them. */
final class TestApps {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestApps() {
    }

    static LeaderboardApp memory(Path journal, Map<String, String> extra) {
        Map<String, String> m = base(extra);
        m.put("leaderboard.store", "memory");
        m.put("leaderboard.journal", journal.toString());
        return start(m);
    }

    static LeaderboardApp redis(String prefix, Map<String, String> extra) {
        return redis(TestRedis.URI, prefix, extra);
    }

    static LeaderboardApp redis(String uri, String prefix, Map<String, String> extra) {
        Map<String, String> m = base(extra);
        m.put("leaderboard.store", uri);
        m.put("leaderboard.prefix", prefix);
        return start(m);
    }

    private static Map<String, String> base(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>();
        m.put("server.host", "127.0.0.1");
        m.put("server.port", "0");
        m.put("leaderboard.rate", "50");
        m.put("leaderboard.resync", "PT0.2S");
        m.put("leaderboard.heartbeat", "PT1S");
        m.putAll(extra);
        return m;
    }

    private static LeaderboardApp start(Map<String, String> m) {
        return LeaderboardApp.start(Config.just(ConfigSources.create(m)));
    }

    static URI uri(LeaderboardApp app, String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    static HttpResponse<String> get(LeaderboardApp app, String path) {
        return send(HttpRequest.newBuilder(uri(app, path)).GET().build());
    }

    static HttpResponse<String> post(LeaderboardApp app, String body, String contentType, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(app, "/submit-game"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return send(b.build());
    }

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
