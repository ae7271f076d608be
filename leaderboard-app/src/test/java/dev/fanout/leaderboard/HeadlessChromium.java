package dev.fanout.leaderboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium, driven over the DevTools protocol on a WebSocket of the JDK's
 * HttpClient: no Selenium, no driver binary. One page target; {@link #evaluate} runs JavaScript
 * in it, {@link #screenshot} saves a PNG.
 *
 * <p>Chromium is Debian's ({@code apt-get install chromium}); {@code CHROMIUM=/path/to/chrome}
 * picks another build. It runs with a fresh profile and with every background connection off,
 * since only loopback addresses are reachable here.
 */
final class HeadlessChromium implements AutoCloseable {

    /** Set to {@code true} to skip the browser tests where no Chromium can be installed. */
    static final String SKIP_ENV = "FANOUT_SKIP_BROWSER_TESTS";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

    private final Process process;
    private final Path profile;
    private final Path log;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** @return the Chromium binary: {@code $CHROMIUM}, else the first of the usual names on the PATH */
    static Optional<Path> find() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin");
        for (String name : NAMES) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts Chromium on {@code about:blank} with a fresh profile under {@code dir} and attaches
     * to its page.
     */
    HeadlessChromium(Path binary, Path dir) throws Exception {
        this.profile = Files.createDirectories(dir.resolve("profile"));
        this.log = dir.resolve("chromium.log");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=900,600",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "about:blank"));
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = devToolsPort(profile.resolve("DevToolsActivePort"));
            URI page = pageSocket(port);
            this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(page, new Listener())
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
            kill();
            throw new IllegalStateException("chromium did not start; its output:\n" + logTail(), e);
        }
    }

    /** Chromium writes the port it chose, then the browser's path, once it listens. */
    private int devToolsPort(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("chromium exited with " + process.exitValue());
            }
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return Integer.parseInt(lines.get(0).strip());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no " + file + " after 30 s");
    }

    private static URI pageSocket(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String body;
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.net.http.HttpTimeoutException e) {
                body = "(no answer within 5 s: " + e.getMessage() + ")"; // a loaded machine: ask again
            }
            if (body.startsWith("[")) {
                for (JsonNode t : JSON.readTree(body)) {
                    if ("page".equals(t.path("type").asText()) && t.has("webSocketDebuggerUrl")) {
                        return URI.create(t.get("webSocketDebuggerUrl").asText());
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no page target after 30 s: " + body);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Sends one DevTools command and waits for its answer.
     *
     * @return the {@code result} object
     */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = answer.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + ": " + reply.get("error"));
        }
        return reply.path("result");
    }

    void navigate(URI uri) throws Exception {
        call("Page.navigate", Map.of("url", uri.toString()));
    }

    /** @return the value of a JavaScript expression in the page, as JSON */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException(expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /**
     * Emulates a screen: {@code width} x {@code height} CSS pixels, {@code scale} device pixels
     * per CSS pixel, and a phone's viewport handling when {@code mobile}.
     */
    void viewport(int width, int height, double scale, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", scale, "mobile", mobile));
    }

    /** Saves the page as a PNG. */
    void screenshot(Path png) throws Exception {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    String logTail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            socket.abort();
        } finally {
            kill();
            removeSingletonLinks();
        }
    }

    /** Chromium links its profile to a socket directory of its own in /tmp; remove both. */
    private void removeSingletonLinks() {
        for (String name : List.of("SingletonSocket", "SingletonLock", "SingletonCookie")) {
            Path link = profile.resolve(name);
            try {
                if (Files.isSymbolicLink(link)) {
                    Path target = Files.readSymbolicLink(link);
                    Files.delete(link);
                    Path owner = target.getParent();
                    if (target.isAbsolute() && owner != null && owner.getFileName().toString().startsWith("org.chromium.")) {
                        try (var files = Files.list(owner)) {
                            for (Path f : files.toList()) {
                                Files.deleteIfExists(f);
                            }
                        }
                        Files.deleteIfExists(owner);
                    }
                }
            } catch (IOException e) {
                // best effort: a leftover in /tmp is harmless
            }
        }
    }

    /** Collects text frames into messages; answers complete the waiting call, events are ignored. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode msg = JSON.readTree(text.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                } finally {
                    text.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }
}
