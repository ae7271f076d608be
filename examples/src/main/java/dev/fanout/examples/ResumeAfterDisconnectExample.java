package dev.fanout.examples;

import dev.fanout.CloseReason;
import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PullSubscription;
import dev.fanout.Subscription;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resuming from a sequence number after a disconnect: the hub keeps its last 256 messages, a
 * client that comes back says the last sequence it saw and gets what it missed, then live
 * messages, with no gap and no duplicate. A client gone too long is told so and starts from
 * the latest message, as a fresh snapshot.
 *
 * <p>The producer publishes every 2 ms. The client ({@code disconnect}):
 * <ol>
 *   <li>reads 50 messages with a buffer of 32, then stalls; the hub disconnects it
 *       ({@code SLOW}) within about 64 ms;</li>
 *   <li>resumes with {@code resumeAfter(lastSequence())}: the history replays what it missed,
 *       and it reads on, checking that the sequence numbers follow without a gap;</li>
 *   <li>closes and stays away until more than 256 messages have gone by;</li>
 *   <li>resumes again: the history no longer reaches back, so {@code startGap()} is true and
 *       the first message is the hub's latest.</li>
 * </ol>
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=ResumeAfterDisconnectExample}
 * (no argument: it runs until the four steps are done, about two seconds).
 *
 * <p>Expected output (sequence numbers vary):
 * <pre>
 * client: read 1..50, then stalls
 * client: disconnected (SLOW), last sequence 50
 * resume 1: after 50, startGap=false, first=51 (replayed from the history)
 * resume 1: read 51..150 in order, no gap, no duplicate: true
 * client: closed at 150, away until the hub is past 406
 * resume 2: after 150, startGap=true, first=409 (the hub's latest; it was at 408): take a snapshot
 * </pre>
 */
public final class ResumeAfterDisconnectExample {
    private static final int HISTORY = 256;

    private ResumeAfterDisconnectExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        // @start region="hub"
        Hub<String> events = Hub.<String>builder()
                .name("events")
                .history(History.last(HISTORY))            // what a returning client can get back
                .overflow(Overflow.disconnect())           // a client that falls behind is closed, SLOW
                .capacity(256)
                .build();
        // @end
        AtomicBoolean running = new AtomicBoolean(true);
        Thread producer = Thread.ofPlatform().name("producer").start(() -> {
            long n = 0;
            while (running.get()) {
                events.publish("event " + ++n);
                Examples.sleep(Duration.ofMillis(2));
            }
        });
        try {
            run(events);
        } finally {
            running.set(false);
            producer.join();
            events.close();
        }
    }

    private static void run(Hub<String> events) {
        // 1. read 50, stall, get disconnected
        PullSubscription<String> client = events.subscriber().capacity(32).subscribe();
        long first = take(client).sequence();
        for (int i = 1; i < 50 && client.closeReason().isEmpty(); i++) {
            client.await(Duration.ofSeconds(5)); // empty if a hiccup here already got it disconnected
        }
        System.out.println("client: read " + first + ".." + client.lastSequence() + ", then stalls");
        while (client.closeReason().isEmpty()) {
            Examples.sleep(Duration.ofMillis(5)); // not reading: the buffer fills and the hub closes it
        }
        System.out.println("client: disconnected (" + client.closeReason().get() + "), last sequence "
                + client.lastSequence());

        // 2. resume where it stopped
        // @start region="resume"
        long last = client.lastSequence();                            // kept by the client, e.g. Last-Event-ID
        PullSubscription<String> resumed = events.subscriber().resumeAfter(last).subscribe();
        // @end
        long firstResumed = take(resumed).sequence();
        System.out.println("resume 1: after " + last + ", startGap=" + resumed.startGap() + ", first=" + firstResumed
                + " (replayed from the history)");
        boolean inOrder = firstResumed == last + 1;
        long previous = firstResumed;
        for (int i = 1; i < 100; i++) {
            long seq = take(resumed).sequence();
            inOrder &= seq == previous + 1;
            previous = seq;
        }
        System.out.println("resume 1: read " + firstResumed + ".." + previous
                + " in order, no gap, no duplicate: " + inOrder);

        // 3. away for longer than the history reaches
        resumed.close();
        last = resumed.lastSequence();
        long until = last + HISTORY + 1;
        System.out.println("client: closed at " + last + ", away until the hub is past " + until);
        while (events.sequence() <= until) {
            Examples.sleep(Duration.ofMillis(5));
        }

        // 4. resume again: too late for the history
        // @start region="gap"
        long hubAt = events.sequence();
        PullSubscription<String> again = events.subscriber().resumeAfter(last).subscribe();
        Delivery<String> d = take(again);
        if (again.startGap()) {                                        // what it missed is gone for good
            System.out.println("resume 2: after " + last + ", startGap=true, first=" + d.sequence()
                    + " (the hub's latest; it was at " + hubAt + "): take a snapshot");
        }
        // @end
    }

    /** The next message; the client here never waits long, the producer publishes every 2 ms. */
    private static Delivery<String> take(PullSubscription<String> s) {
        Optional<Delivery<String>> d = s.await(Duration.ofSeconds(5));
        if (d.isEmpty()) {
            throw new IllegalStateException("no message within 5 s; closed: " + s.closeReason().map(CloseReason::name).orElse("no"));
        }
        return d.get();
    }
}
