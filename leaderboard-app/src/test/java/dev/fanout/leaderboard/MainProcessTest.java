package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Main} in a child JVM, as an operator runs it: options from flags, the environment and a
 * config file, the lines it logs, and SIGTERM ({@link Process#destroy()}): the stream client sees
 * its response end, the listener stops, the journal is closed, and every acknowledged game is
 * there after a restart.
 *
 * <p>The child runs on the test JVM's class path (the tests run before {@code package} builds the
 * jar); {@code LeaderboardJarIT} runs the same tests on {@code target/leaderboard.jar}.
 */
class MainProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) ");
    /** Options of the child JVMs: small, and quick to start on a busy machine. */
    static final String[] CHILD_JVM = {"-Xmx256m", "-XX:TieredStopAtLevel=1"};
    /** Exit status of a JVM ended by SIGTERM: 128 + 15. */
    private static final int SIGTERM_STATUS = 143;

    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();

    /**
     * @param args the app's arguments
     * @return the command that starts the app with them
     */
    List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(java(), CHILD_JVM[0], CHILD_JVM[1], "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Child c : children) {
            c.process.destroyForcibly();
            c.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigterm_endsTheStream_stopsListening_closesTheJournal_andAcknowledgedGamesSurvive() throws Exception {
        Path journal = dir.resolve("games.journal");
        Path config = Files.writeString(dir.resolve("leaderboard.yaml"), """
                leaderboard:
                  journal: %s
                  topk: 7
                  heartbeat: PT30S
                """.formatted(journal));
        List<String> args = List.of("--config", config.toString(), "--server.port=0", "--leaderboard.rate=20");
        // env over the file (topk), the flag over env (rate), the file over the default (heartbeat)
        Child app = start(args, "LEADERBOARD_TOPK", "5", "LEADERBOARD_RATE", "3");
        int port = app.port();
        String limits = app.awaitLine("limits in force: ");
        assertTrue(limits.contains(" topk=5 ") && limits.contains(" rate=20.0 ") && limits.contains(" heartbeat=PT30S ")
                && limits.contains(" stall-timeout=PT10S ") && limits.contains(" limits.body=4096 "), limits);
        assertTrue(app.line("with store memory (journal " + journal.toAbsolutePath() + ")") >= 0, app.lines.toString());

        RawStream stream = new RawStream(port);
        awaitSpectators(port, 1, () -> "stream: " + stream.text() + "\nlog: " + app.lines);
        int games = 25;
        for (int i = 0; i < games; i++) {
            HttpResponse<String> r = submit(port, "g" + i, "p" + (i % 5), "p" + ((i + 1) % 5), i % 3);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("applied", JSON.readTree(r.body()).get("outcome").asText(), r.body());
        }

        app.process.destroy(); // SIGTERM
        assertTrue(app.process.waitFor(60, TimeUnit.SECONDS), "still running after SIGTERM: " + app.lines);
        assertEquals(SIGTERM_STATUS, app.process.exitValue(), app.lines.toString());

        stream.reader.join(TimeUnit.SECONDS.toMillis(30));
        assertNull(stream.failure, "the stream must end, not break");
        assertTrue(stream.ended, "the stream client must see its response end");
        String body = stream.text();
        assertTrue(body.startsWith("HTTP/1.1 200 ") && body.contains("event: leaderboard"), body);
        assertTrue(body.endsWith("\r\n0\r\n\r\n"), "a clean end of a chunked response: " + body);

        app.awaitExit();
        int stopping = app.line("shutting down");
        int streams = app.line("streams ended: 1 were open; new ones get 503");
        int listener = app.line("stopped listening on http://127.0.0.1:" + port);
        int closed = app.line("journal " + journal + ": closed with " + games + " games, every acknowledged one on disk");
        int stopped = app.line("leaderboard stopped");
        assertTrue(0 <= stopping && stopping < streams && streams < listener && listener < closed && closed < stopped,
                "stop lines in order: " + app.lines);

        Child again = start(args);
        int port2 = again.port();
        assertTrue(again.line("journal " + journal + ": replayed " + games + " games for 5 players") >= 0, again.lines.toString());
        JsonNode board = JSON.readTree(get(port2, "/leaderboard?limit=5").body());
        assertEquals(games, board.get("version").asLong(), board.toString());
        double points = 0;
        for (JsonNode e : board.get("entries")) {
            points += e.get("score").asDouble();
        }
        assertEquals(games, points, 0.0, "one point per game: " + board);
        again.process.destroy();
        assertTrue(again.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(SIGTERM_STATUS, again.process.exitValue());
    }

    @Test
    void badOption_exits2_withOneLine() throws Exception {
        Child app = start(List.of("--leaderboard.topk=3", "--port", "1"));
        assertTrue(app.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, app.process.exitValue());
        app.awaitExit();
        assertEquals(List.of("leaderboard: --port: unknown option (see --help)"), app.lines);
    }

    @Test
    void invalidValue_exits2_namingTheKey() throws Exception {
        Child app = start(List.of("--server.port=0", "--leaderboard.journal=" + dir.resolve("j"), "--leaderboard.topk=0"));
        assertTrue(app.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, app.process.exitValue());
        app.awaitExit();
        assertTrue(app.line("cannot start: topk: 0 (expected: >= 1)") >= 0, app.lines.toString());
    }

    @Test
    void help_listsEveryOption_andExits0() throws Exception {
        Child app = start(List.of("--help"));
        assertTrue(app.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, app.process.exitValue());
        app.awaitExit();
        assertEquals(Options.help(), String.join("\n", app.lines) + "\n");
    }

    // ------------------------------------------------------------------ helpers

    private Child start(List<String> args, String... env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LEADERBOARD_") || k.startsWith("SERVER_"));
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Child c = new Child(pb, dir.resolve("child-" + children.size() + ".log"));
        children.add(c);
        return c;
    }

    private static HttpResponse<String> submit(int port, String game, String p1, String p2, int result) {
        String body = "{\"game_id\":\"%s\",\"server_id\":\"s1\",\"player1_id\":\"%s\",\"player2_id\":\"%s\",\"result\":%d}"
                .formatted(game, p1, p2, result);
        return TestApps.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/submit-game"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> get(int port, String path) {
        return TestApps.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build());
    }

    private static void awaitSpectators(int port, int n, Supplier<String> context) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (JSON.readTree(get(port, "/spectators").body()).get("connected").asInt() != n) {
            assertTrue(System.nanoTime() < deadline, () -> "spectators never reached " + n + "; " + context.get());
            Thread.sleep(20);
        }
    }

    /**
     * A child JVM and the lines it printed (stdout and stderr), in a file: {@link Process#destroy()}
     * closes the process's pipes, and what the child logs as it stops would be lost with them.
     */
    private static final class Child {
        final Process process;
        final Path log;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Child(ProcessBuilder pb, Path log) throws IOException {
            this.log = log;
            this.process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }

        /** Reads the lines written so far. */
        private void read() {
            try {
                List<String> now = Files.readAllLines(log, StandardCharsets.UTF_8);
                if (now.size() > lines.size()) {
                    lines.addAll(now.subList(lines.size(), now.size()));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** @return the first line containing {@code s}, waiting up to 60 s for it */
        String awaitLine(String s) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                boolean alive = process.isAlive();
                read();
                for (String l : lines) {
                    if (l.contains(s)) {
                        return l;
                    }
                }
                assertTrue(alive, "exited before '" + s + "': " + lines);
                assertTrue(System.nanoTime() < deadline, "no '" + s + "' in 60 s: " + lines);
                Thread.sleep(20);
            }
        }

        int port() throws InterruptedException {
            Matcher m = LISTENING.matcher(awaitLine("leaderboard listening on "));
            assertTrue(m.find(), lines.toString());
            return Integer.parseInt(m.group(1));
        }

        /** @return the index of the first line containing {@code s}, or -1 */
        int line(String s) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(s)) {
                    return i;
                }
            }
            return -1;
        }

        /** Reads every line of the exited process. */
        void awaitExit() {
            assertTrue(!process.isAlive());
            read();
        }
    }

    /** A stream client on a bare socket: every byte until the server ends the connection. */
    private static final class RawStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Thread reader;
        volatile boolean ended;
        volatile IOException failure;

        /** @return what came so far */
        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        RawStream(int port) throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET /stream-leaderboard HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            reader = Thread.ofVirtual().start(() -> {
                try (s; InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        synchronized (bytes) {
                            bytes.write(buf, 0, n);
                        }
                    }
                    ended = true;
                } catch (IOException e) {
                    failure = e;
                }
            });
        }
    }
}
