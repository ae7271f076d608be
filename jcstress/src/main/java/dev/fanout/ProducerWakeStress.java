package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
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
 * room always gets it once a consumer takes, even though the subscriber's wait limit here is a
 * day. A publisher that relied on the unpark alone would stay parked.
 *
 * <p>Both sides start from a spin on one flag so that the consumer's take meets the publisher's
 * announcement.
 */
public final class ProducerWakeStress {

    private ProducerWakeStress() {
    }

    /** The queue engine: the publisher waits in {@code QueueDispatcher.awaitRoom}, announced in {@code QueueLane}. */
    @JCStressTest(Mode.Termination)
    @Description("Queue engine: a publisher parked for room must finish once the consumer takes")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The publish returned: it found the room, was unparked, or looked again after a step.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The publisher stayed parked although the subscriber had room.")
    @State
    public static class Queue {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").capacity(1).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofDays(1)));
        private volatile boolean go;

        public Queue() {
            hub.publish(1); // the subscriber is full
        }

        @Actor
        public void publisher() {
            while (!go) {
                Thread.onSpinWait();
            }
            hub.publish(2);
        }

        @Signal
        public void consumer() {
            go = true;
            if (sub.poll().isEmpty()) {
                throw new IllegalStateException("message 1 was published before the race");
            }
        }
    }

    /**
     * The ring engine: the publisher waits in {@code RingDispatcher.await} for a lossless
     * cursor's allowance, announced in {@code parkedPublisher}.
     */
    @JCStressTest(Mode.Termination)
    @Description("Ring engine: a publisher parked for a lossless cursor must finish once the consumer takes")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The publish returned: it found the room, was unparked, or looked again after a step.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The publisher stayed parked although the cursor had moved.")
    @State
    public static class Ring {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").engine(Engine.ring(4)).capacity(1).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.slowProducer(Duration.ofDays(1)));
        private volatile boolean go;

        public Ring() {
            hub.publish(1); // the subscriber holds its capacity
        }

        @Actor
        public void publisher() {
            while (!go) {
                Thread.onSpinWait();
            }
            hub.publish(2);
        }

        @Signal
        public void consumer() {
            go = true;
            if (sub.poll().isEmpty()) {
                throw new IllegalStateException("message 1 was published before the race");
            }
        }
    }
}
