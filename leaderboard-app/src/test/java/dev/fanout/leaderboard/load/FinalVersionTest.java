package dev.fanout.leaderboard.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generator's final-version check, against a bare socket server: a {@code 503} is retried
 * after its {@code Retry-After} as any client would (an instance at its stream limit until its
 * next writes find the connections of clients that left), and the version is the first
 * leaderboard event's.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FinalVersionTest {

    private static final String REFUSED = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n";
    private static final String STREAM = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Connection: close\r\n\r\nid: kisstjo8gqd8-42\nevent: leaderboard\ndata: {}\n\n";

    /** Answers each connection in turn with the next of {@code answers}, after reading its request head. */
    private static long checkAgainst(List<String> answers, AtomicInteger served) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                for (String answer : answers) {
                    try (Socket c = server.accept()) {
                        readHead(c);
                        OutputStream out = c.getOutputStream();
                        out.write(answer.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        served.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            long v = LoadRun.finalVersion(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                    "127.0.0.1", false);
            server.close();
            serving.get(10, TimeUnit.SECONDS);
            return v;
        }
    }

    private static void readHead(Socket c) throws IOException {
        c.setSoTimeout(5000);
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = c.getInputStream().read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Test
    void a503_isRetriedAfterItsRetryAfter_andTheNextAnswerGivesTheVersion() throws Exception {
        AtomicInteger served = new AtomicInteger();
        long start = System.nanoTime();
        long v = checkAgainst(List.of(REFUSED, REFUSED, STREAM), served);
        assertEquals(42, v);
        assertEquals(3, served.get(), "two refusals, then the stream");
        assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(2), "waited out both Retry-Afters");
    }

    @Test
    void refusedEveryTime_givesUpAfterItsRetries() throws Exception {
        AtomicInteger served = new AtomicInteger();
        String[] refusals = new String[LoadRun.FINAL_RETRIES + 1];
        java.util.Arrays.fill(refusals, REFUSED);
        assertEquals(-1, checkAgainst(List.of(refusals), served));
        assertEquals(LoadRun.FINAL_RETRIES + 1, served.get());
    }
}
