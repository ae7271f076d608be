package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Topics#close()} racing {@link Topics#subscribe}: once close has returned (and the racing
 * subscribe has returned or thrown), the registry holds no topic, no hub it ever created is
 * open, every subscription it handed out ends, and a later subscribe throws
 * {@link IllegalStateException}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopicsCloseRaceTest {

    private static final int ROUNDS = 300;

    @Test
    void closeRacingSubscribe_leavesNoTopicNoOpenHubAndEndsEverySubscription() throws Exception {
        List<String> violations = new ArrayList<>();
        int badRounds = 0;
        long subscriptions = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Round r = new Round();
            List<String> found = r.run();
            subscriptions += r.subs.size();
            if (!found.isEmpty()) {
                badRounds++;
                if (violations.size() < 10) {
                    violations.add("round " + round + ": " + String.join("; ", found));
                }
            }
        }
        assertEquals(0, badRounds, badRounds + " of " + ROUNDS + " rounds (" + subscriptions
                + " subscriptions) broke the close contract; the first:\n" + String.join("\n", violations));
    }

    /** One registry, one racing subscriber thread, one close. */
    private static final class Round {
        final ConcurrentLinkedQueue<Hub<Integer>> created = new ConcurrentLinkedQueue<>();
        final Topics<Integer, Integer> topics = Topics.<Integer, Integer>builder(() -> {
            Hub<Integer> hub = Hub.<Integer>builder().build();
            created.add(hub);
            return hub;
        }).build();
        final ConcurrentLinkedQueue<PullSubscription<Integer>> subs = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final AtomicInteger attempts = new AtomicInteger();

        List<String> run() throws InterruptedException {
            Thread subscriber = Thread.ofPlatform().name("test-topics-subscriber").start(() -> {
                for (int key = 0; ; key++) {
                    attempts.incrementAndGet();
                    try {
                        subs.add(topics.subscribe(key, b -> b));
                    } catch (IllegalStateException closed) {
                        return; // the registry is closed: the only way out
                    } catch (Throwable t) {
                        unexpected.add(t);
                        return;
                    }
                }
            });
            // let it create a few hubs first, a varying number, then close under it
            int before = ThreadLocalRandom.current().nextInt(1, 8);
            while (attempts.get() < before && subscriber.isAlive()) {
                Thread.onSpinWait();
            }
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(0, 50_000));
            topics.close();
            subscriber.join(10_000);
            assertTrue(!subscriber.isAlive(), () -> "the subscriber did not end:" + Bounded.stackOf(subscriber));

            List<String> found = new ArrayList<>();
            unexpected.forEach(t -> found.add("subscribe threw " + t));
            if (topics.size() != 0) {
                found.add("size() " + topics.size() + " after close, keys " + topics.keys());
            }
            long open = created.stream().filter(h -> !h.isClosed()).count();
            if (open > 0) {
                found.add(open + " of " + created.size() + " hubs open after close");
            }
            long notEnded = 0;
            for (PullSubscription<Integer> s : subs) {
                while (s.poll().isPresent()) {
                    // drain what it holds: it ends once drained
                }
                if (!s.isClosed()) {
                    notEnded++;
                }
            }
            if (notEnded > 0) {
                found.add(notEnded + " of " + subs.size() + " subscriptions not ended after close");
            }
            assertThrows(IllegalStateException.class, () -> topics.subscribe(-1, b -> b), "subscribe after close");
            return found;
        }
    }
}
