package dev.fanout.examples;

import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.sse.SseEvent;
import dev.fanout.sse.SseHandler;
import io.helidon.webserver.WebServer;
import java.time.Duration;

/**
 * A minimal Server-Sent Events server with fanout-sse: one hub, one {@link SseHandler} route,
 * a publisher. Every client of {@code /ticks} gets the current tick at once, then each new one
 * ({@code id:} = the hub's epoch and sequence number, so a reconnecting client resumes with
 * {@code Last-Event-ID} and misses nothing the history of 100 still holds, and one that comes
 * back after a restart gets a {@code reset} event and the current tick), heartbeat comments
 * when idle, and its own {@code dropOldest} buffer, so a slow client cannot slow the others.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=SseServerExample -Dexec.args="8080 60s"}
 * (port, 0 for any free one; run time), and in another terminal {@code curl -N http://127.0.0.1:8080/ticks}.
 *
 * <p>Expected output of the server (then nothing until the run time is over):
 * <pre>
 * listening on http://127.0.0.1:8080/ticks
 * stopped after 120 ticks; streams served: 1
 * </pre>
 * and of curl, one event every 500 ms:
 * <pre>
 * retry: 3921
 *
 * id: 3k9x0q2m7d1a-7
 * event: tick
 * data: {"n":7}
 *
 * id: 8
 * ...
 * </pre>
 */
public final class SseServerExample {
    private SseServerExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Duration runFor = Examples.duration(args.length > 1 ? new String[] {args[1]} : new String[0], Duration.ofSeconds(60));

        // @start region="server"
        Hub<SseEvent> ticks = Hub.<SseEvent>builder().name("ticks").history(History.last(100)).build();
        SseHandler<SseEvent> stream = SseHandler.builder(ticks)
                .overflow(Overflow.dropOldest())       // each client its own buffer of 64
                .heartbeat(Duration.ofSeconds(15))     // a ":" comment on idle streams
                .maxConnections(1_000)                 // then 503 with Retry-After
                .build();
        WebServer server = WebServer.builder()
                .host("127.0.0.1").port(port)
                .routing(r -> r.get("/ticks", stream))
                .build()
                .start();
        System.out.println("listening on http://127.0.0.1:" + server.port() + "/ticks");

        long end = System.nanoTime() + runFor.toNanos();
        long n = 0;
        while (System.nanoTime() < end) {
            ticks.publish(SseEvent.of("tick", "{\"n\":" + ++n + "}")); // encoded once, written to all
            Thread.sleep(500);
        }
        stream.close();                                 // ends every stream at once
        server.stop();
        // @end
        System.out.println("stopped after " + n + " ticks; streams served: " + stream.stats().accepted());
    }
}
