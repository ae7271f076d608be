package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * The producer wake-up: a publisher that found a lossless ({@code slowProducer}) subscriber full
 * announces itself, issues a full fence and looks for room again before it parks; a consumer
 * that takes unparks it if it sees the announcement, with no fence of its own. So the wake-up
 * may be lost when both act at the same instant, and the publisher parks in bounded steps
 * ({@link ProducerBackoff}) to find the room anyway. The claim tested: a publisher waiting for
 * room always gets it once a consumer takes, though the subscriber's wait limit is a day here.
 * A publisher that relied on the unpark alone would stay parked.
 *
 * <p>The actor publishes 1,000 messages into a subscriber that holds one; a consumer thread
 * started by the signal takes them, polling without ever parking and pausing a random moment
 * after each take. So publishes find the subscriber full and race the take that makes room at
 * every point of their way into the park. The consumer
 * thread is a daemon: if the publisher stays parked, it spins until jcstress ends the VM.
 */
public final class ProducerWakeStress {
    static final int MESSAGES = 1_000;

    private ProducerWakeStress() {
    }

    /**
     * Starts a daemon thread that takes {@link #MESSAGES} messages from {@code sub}, never
     * parking. After each take it spins a random 0 to 63 times, so that its takes fall at every
     * point of the publisher's way from a full buffer into its park.
     */
    static void startConsumer(PullSubscription<Integer> sub) {
        Thread t = new Thread(() -> {
            int taken = 0;
            while (taken < MESSAGES) {
                if (sub.poll().isPresent()) {
                    taken++;
                    for (int spins = ThreadLocalRandom.current().nextInt(64); spins > 0; spins--) {
                        Thread.onSpinWait();
                    }
                } else {
                    Thread.onSpinWait();
                }
            }
        }, "consumer");
        t.setDaemon(true);
        t.start();
    }

    /** The queue engine: the publisher waits in {@code QueueDispatcher.awaitRoom}, announced in {@code QueueLane}. */
    @JCStressTest(Mode.Termination)
    @Description("Queue engine: a publisher parking for room 1,000 times must always finish")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "All 1,000 publishes returned: each found the room, was unparked, or looked again after a step.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The publisher stayed parked although the subscriber had room.")
    @State
    public static class Queue {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").capacity(1).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofDays(1)));

        @Actor
        public void publisher() {
            for (int i = 1; i <= MESSAGES; i++) {
                hub.publish(i);
            }
        }

        @Signal
        public void consumer() {
            startConsumer(sub);
        }
    }

    /**
     * The ring engine: the publisher waits in {@code RingDispatcher.await} for a lossless
     * cursor's allowance, announced in {@code parkedPublisher}.
     */
    @JCStressTest(Mode.Termination)
    @Description("Ring engine: a publisher parking for a lossless cursor 1,000 times must always finish")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "All 1,000 publishes returned: each found the room, was unparked, or looked again after a step.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The publisher stayed parked although the cursor had moved.")
    @State
    public static class Ring {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").engine(Engine.ring(4)).capacity(1).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofDays(1)));

        @Actor
        public void publisher() {
            for (int i = 1; i <= MESSAGES; i++) {
                hub.publish(i);
            }
        }

        @Signal
        public void consumer() {
            startConsumer(sub);
        }
    }
}
