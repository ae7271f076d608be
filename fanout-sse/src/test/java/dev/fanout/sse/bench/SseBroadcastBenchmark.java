package dev.fanout.sse.bench;

import dev.fanout.Hub;
import dev.fanout.sse.ConnectionLimits;
import dev.fanout.sse.SseEvent;
import dev.fanout.sse.SseHandler;
import dev.fanout.sse.SseStats;
import io.helidon.webserver.WebServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One broadcast to N SSE connections held by this JVM, measured from the clients: run with
 * {@code N [broadcasts] [clientProcesses] [payloadBytes] [writeBufferSize]}. Not a test.
 *
 * <p>It starts the server here, spawns client processes ({@link SseBenchClient}; the open-file
 * limit is per process, and each client binds its own loopback source addresses 127.0.0.x),
 * waits until every stream is open, measures the heap per connection (used heap after GC,
 * minus the same before the clients connected, divided by N), then publishes one event per
 * second carrying its publish time, and merges the clients' latency histograms.
 */
public final class SseBroadcastBenchmark {
    private SseBroadcastBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args.length > 0 ? args[0] : "1000");
        int broadcasts = Integer.parseInt(args.length > 1 ? args[1] : "30");
        int processes = Integer.parseInt(args.length > 2 ? args[2] : String.valueOf(Math.max(1, (n + 9_499) / 9_500)));
        int payload = Integer.parseInt(args.length > 3 ? args[3] : "512");
        int writeBuffer = Integer.parseInt(args.length > 4 ? args[4] : "512");
        int warmup = 3;

        Hub<SseEvent> hub = Hub.<SseEvent>builder().name("bench").build();
        SseHandler<SseEvent> handler = SseHandler.builder(hub)
                .heartbeat(Duration.ofSeconds(60))
                .maxConnections(n + 100)
                .build();
        int maxTcp = ConnectionLimits.maxTcpConnections(n + 200);
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .backlog(8192)
                .maxTcpConnections(maxTcp)
                .writeBufferSize(writeBuffer)
                .routing(r -> r.get("/stream", handler))
                .build()
                .start();
        System.out.printf("server on %d, maxTcpConnections %d, writeBufferSize %d, %d connections, %d client processes%n",
                server.port(), maxTcp, writeBuffer, n, processes);

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long heapBefore = usedAfterGc(mem);

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        List<Process> clients = new ArrayList<>();
        List<CompletableFuture<String>> histograms = new ArrayList<>();
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        int perProcess = (n + processes - 1) / processes;
        int left = n;
        for (int p = 0; p < processes; p++) {
            int count = Math.min(perProcess, left);
            left -= count;
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", cp,
                    SseBenchClient.class.getName(), "127.0.0.1", Integer.toString(server.port()), "/stream",
                    Integer.toString(count), Integer.toString(broadcasts), Integer.toString(warmup)));
            for (int a = 0; a < 4; a++) {
                cmd.add("127.0.0." + (2 + p * 4 + a));
            }
            Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            clients.add(proc);
            CompletableFuture<Void> r = new CompletableFuture<>();
            CompletableFuture<String> h = new CompletableFuture<>();
            ready.add(r);
            histograms.add(h);
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                        StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.equals("READY")) {
                            r.complete(null);
                        } else if (line.startsWith("HISTOGRAM ")) {
                            h.complete(line.substring(10));
                        }
                    }
                } catch (Exception e) {
                    h.completeExceptionally(e);
                } finally {
                    r.complete(null);
                    h.complete(null);
                }
            });
        }
        long t0 = System.nanoTime();
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        while (handler.openConnections() < n && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5)) {
            Thread.sleep(100);
        }
        System.out.printf("%d streams open after %.1f s%n", handler.openConnections(), (System.nanoTime() - t0) / 1e9);
        Thread.sleep(2000);
        long heapAfter = usedAfterGc(mem);
        double perConn = (heapAfter - heapBefore) / (double) n;
        if (Boolean.getBoolean("bench.histogram")) { // what the heap per connection is made of
            Object h = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
            h.toString().lines().limit(40).forEach(System.out::println);
        }

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String pad = "x".repeat(Math.max(0, payload - 20));
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        for (int b = 0; b < broadcasts; b++) {
            // one publish per second; nothing polls the handler meanwhile (its stats walk every connection)
            long start = System.nanoTime();
            hub.publish(SseEvent.of("board", SseBenchClient.nowMicros() + " " + pad));
            Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - start) / 1_000_000));
        }
        long cpu = os.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        hub.publish(SseEvent.of("end", "0")); // the end marker

        Histogram all = new Histogram(60_000_000L, 3);
        for (CompletableFuture<String> h : histograms) {
            String enc = h.get(2, TimeUnit.MINUTES);
            if (enc != null) {
                all.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(enc)), 0));
            }
        }
        SseStats stats = handler.stats();
        System.out.printf("RESULT n=%d broadcasts=%d payload=%dB: client P50 %.1f ms, P99 %.1f ms, max %.1f ms (%d samples of %d);"
                        + " server CPU %.1f ms per broadcast (%.0f%% of one core over the run);"
                        + " heap %.1f KiB per connection; frames encoded %d; server publish-to-flush P50 %s P99 %s max~%s%n",
                n, broadcasts, payload, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                all.getMaxValue() / 1000.0, all.getTotalCount(), (long) n * (broadcasts - warmup),
                cpu / 1e6 / broadcasts, 100.0 * cpu / wall, perConn / 1024, stats.framesEncoded(),
                stats.latency().percentile(50), stats.latency().percentile(99),
                stats.latency().percentile(100));
        for (Process p : clients) {
            p.destroy();
        }
        handler.close();
        server.stop();
        System.exit(0);
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

}
