package dev.fanout.leaderboard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own on a free loopback port, for faults the shared Redis on 6379
 * must not suffer: {@link #pause()} stops the process ({@code kill -STOP}), so commands are
 * accepted by the kernel and never answered, until {@link #resume()}.
 */
final class OwnRedis implements AutoCloseable {
    private final Process process;
    private final int port;

    private OwnRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts one (redis-server from the PATH, or the REDIS_SERVER environment variable). */
    static OwnRedis start(Path dir) throws IOException, InterruptedException {
        String binary = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p;
        try {
            p = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(Files.createTempFile(dir, "redis", ".log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IOException(binary + " could not be started (apt-get install redis-server, or set"
                    + " REDIS_SERVER): " + e.getMessage(), e);
        }
        OwnRedis r = new OwnRedis(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return r;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    r.close();
                    throw new IOException("redis-server did not start on port " + port);
                }
                Thread.sleep(20);
            }
        }
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + ": exit " + rc);
        }
    }

    @Override
    public void close() {
        try {
            resume(); // a stopped process does not act on SIGTERM until continued
        } catch (IOException | InterruptedException e) {
            // it may be gone already
        }
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
