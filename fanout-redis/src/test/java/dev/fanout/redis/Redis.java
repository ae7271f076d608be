package dev.fanout.redis;

import dev.fanout.Delivery;
import dev.fanout.PullSubscription;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test support: the shared Redis, unique keys, a Redis server a test owns, and reading until a sequence. */
final class Redis {
    /** The Redis every instance of the tests shares. */
    static final RedisURI SHARED = RedisURI.create("redis://127.0.0.1:6379");

    private Redis() {
    }

    /** @return a key no other test uses */
    static String uniqueKey() {
        return "fanout-test:" + UUID.randomUUID();
    }

    /** Runs {@code command} (e.g. {@code DEL key key:meta}) with a short-lived connection. */
    static void run(RedisURI uri, java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> command) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            command.accept(c.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Deletes a stream, its counter and its publishes' once-keys. */
    static void delete(RedisURI uri, String key) {
        run(uri, r -> {
            r.del(key, key + ":meta");
            List<String> once = r.keys(key + ":once:*");
            if (!once.isEmpty()) {
                r.del(once.toArray(String[]::new));
            }
        });
    }

    /** Takes deliveries until one with sequence {@code last} or later, or the deadline. */
    static List<Delivery<String>> readUntil(PullSubscription<String> s, long last, Duration within) {
        List<Delivery<String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<Delivery<String>> d = s.await(Duration.ofMillis(100));
            if (d.isPresent()) {
                out.add(d.get());
                if (d.get().sequence() >= last) {
                    break;
                }
            } else if (s.isClosed()) {
                break;
            }
        }
        return out;
    }

    static List<Long> sequences(List<Delivery<String>> deliveries) {
        return deliveries.stream().map(Delivery::sequence).toList();
    }

    /** Waits for {@code condition}, at most {@code within}. @return whether it held */
    static boolean eventually(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * A {@code redis-server} a test starts and stops: no persistence, so a restart comes back
     * empty.
     */
    static final class Server implements AutoCloseable {
        final int port;
        private Process process;

        Server() throws IOException, InterruptedException {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            start();
        }

        RedisURI uri() {
            return RedisURI.create("redis://127.0.0.1:" + port);
        }

        void start() throws IOException, InterruptedException {
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    new Socket("127.0.0.1", port).close();
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                        throw new IOException("redis-server on port " + port + " did not start", e);
                    }
                    Thread.sleep(20);
                }
            }
        }

        /** Kills it at once (SIGKILL): what it held is gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        /** SIGSTOP: it holds its connections and answers nothing. */
        void pause() throws IOException, InterruptedException {
            signal("-STOP");
        }

        /** SIGCONT. */
        void resume() throws IOException, InterruptedException {
            signal("-CONT");
        }

        private void signal(String sig) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IOException("kill " + sig + " failed");
            }
        }

        @Override
        public void close() throws IOException {
            if (process != null && process.isAlive()) {
                try {
                    resume();
                    kill();
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
