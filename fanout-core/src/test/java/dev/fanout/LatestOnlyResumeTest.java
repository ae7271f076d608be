package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code latestOnly} subscription on the ring that resumes after a sequence the history no
 * longer holds (so it starts with the latest message and {@code startGap()}), while three
 * publishers run at full speed on a ring of four slots, keeps its books: once the hub has closed
 * and terminated, offered == delivered + dropped, and it never counts more messages superseded
 * than it was offered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LatestOnlyResumeTest {

    private static final int RUNS = 1_000;
    /** A bound on the whole test's time: the runs stop early when it is spent. */
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int PUBLISHERS = 3;
    private static final int PER_PUBLISHER = 2_000;

    @Test
    void resumedLatestOnlyOnTheRing_withAStartGap_underThreeFullSpeedPublishers_keepsItsBooks() throws Exception {
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int runs = 0;
        int noGap = 0;
        List<String> broken = new ArrayList<>();
        while (runs < RUNS && System.nanoTime() - deadline < 0) {
            runs++;
            Run r = new Run();
            String found = r.run();
            if (!r.gap) {
                noGap++;
            }
            if (found != null) {
                broken.add("run " + runs + ": " + found);
            }
        }
        int total = runs;
        assertEquals(0, noGap, "runs whose resume did not find a gap (the setup failed)");
        assertTrue(broken.isEmpty(), () -> broken.size() + " of " + total + " runs broke the books:\n  "
                + String.join("\n  ", broken.subList(0, Math.min(5, broken.size()))));
    }

    /** One hub, three publishers, one resuming subscriber. */
    private static final class Run {
        final Hub<Integer> hub = Hub.<Integer>builder().engine(Engine.ring(4)).history(History.last(3)).build();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        boolean gap;

        /** @return what broke, or null */
        String run() throws InterruptedException {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                publishers.add(Thread.ofPlatform().name("test-publisher-" + p).start(() -> {
                    try {
                        go.await();
                        for (int m = 0; m < PER_PUBLISHER && publish(hub, m); m++) {
                            // full speed
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            go.countDown();
            // resume after 1 once it has left the history (last 3), at a varying point of the stream
            long at = 5 + ThreadLocalRandom.current().nextInt(PER_PUBLISHER);
            while (hub.sequence() < at && publishers.stream().anyMatch(Thread::isAlive)) {
                Thread.onSpinWait();
            }
            Subscription<Integer> sub = hub.subscriber().overflow(Overflow.latestOnly()).resumeAfter(1)
                    .subscribe((seq, m) -> { });
            gap = sub.startGap();
            for (Thread t : publishers) {
                t.join(20_000);
                if (t.isAlive()) {
                    return t.getName() + " did not finish:" + Bounded.stackOf(t);
                }
            }
            hub.close();
            if (!hub.awaitTermination(Duration.ofSeconds(10))) {
                return "no termination: " + sub.stats();
            }
            if (!failures.isEmpty()) {
                return "publish threw " + failures;
            }
            SubscriptionStats s = sub.stats();
            if (s.offered() != s.delivered() + s.dropped() || s.superseded() > s.offered() || s.depth() != 0) {
                return s.toString();
            }
            return null;
        }
    }

    /** Publishes one message; the only place that looks at what publish returns. */
    private static boolean publish(Hub<Integer> hub, int m) {
        return hub.publishAndReport(m).isPublished();
    }
}
