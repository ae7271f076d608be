package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The queue engine's consumer wake-up. A consumer about to wait announces it (a push drain task
 * sets its run state to idle; a pull consumer in {@code await} sets its waiter), issues a full
 * fence and looks at its buffer again; the publisher offers, issues a full fence
 * ({@code Hub.fanOut}) and reads the announcement ({@code QueueDispatcher.wake}). Of the two
 * reads at least one must see the other side's write: never a message left in the buffer with
 * the consumer gone to sleep and no wake-up sent.
 */
public final class ConsumerWakeStress {

    private ConsumerWakeStress() {
    }

    /**
     * A push subscription's drain task going idle against a publish. The task was scheduled by
     * message 1; the consumer actor runs it (it delivers 1, finds nothing more and goes idle)
     * while the publisher actor publishes message 2. r1: messages the task delivered; r2: drain
     * tasks the publish scheduled; r3: messages delivered in all once the arbiter has run the
     * task the publish scheduled, if any.
     */
    @JCStressTest
    @Description("Queue engine, push: a drain task going idle races a publish; the message must be taken or a task scheduled")
    @Outcome(id = "2, 0, 2", expect = ACCEPTABLE, desc = "The task took message 2 itself; the publish found it running, or nothing left to do.")
    @Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "The task went idle first; the publish saw it idle and scheduled the next task.")
    @Outcome(id = "2, 1, 2", expect = ACCEPTABLE_INTERESTING, desc = "Spurious wake: the publish saw the task idle with message 2 queued, the task took it and went idle again, then the publish's compare-and-set won on that idle state. The extra task finds nothing.")
    @Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "Lost wake-up: the task went idle without seeing message 2, the publish saw it running.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a message lost or delivered twice.")
    @State
    public static class QueuePush {
        private final Tasks tasks = new Tasks();
        private final Received received = new Received();
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").capacity(4).executor(tasks).build();
        private final Runnable drain;

        public QueuePush() {
            hub.subscribe(Overflow.dropNewest(), received);
            hub.publish(1); // the idle subscription schedules its drain task
            drain = tasks.take();
        }

        @Actor
        public void consumer() {
            drain.run();
        }

        @Actor
        public void publisher() {
            hub.publish(2);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = received.count;
            r.r2 = tasks.scheduled;
            if (tasks.scheduled > 0) {
                tasks.take().run();
            }
            r.r3 = received.count;
        }
    }

    /**
     * A pull consumer in {@code await()} against the publish that gives it its message, a
     * thousand times per run of the actor. The consumer awaits messages 1 to 1,000 one by one;
     * a publisher thread started by the signal publishes each message as soon as the consumer
     * has taken the one before, so every publish races the consumer's way into {@code await}
     * (its look, announcement, fence and last look), and no later publish can make up for a
     * lost wake-up. The consumer registered for wake-ups before (its first {@code await} did,
     * and no publish was in flight to acknowledge), so an untimed {@code await()} parks with no
     * timer: a lost wake-up leaves it parked for good. The publisher thread is a daemon: if the
     * consumer stays parked, it spins until jcstress ends the VM.
     */
    @JCStressTest(Mode.Termination)
    @Description("Queue engine, pull: await() racing the publish of the message it waits for must always return")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "All 1,000 awaits returned their message: each saw it before parking, or its publish unparked it.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: await() parked with its message in the buffer and nobody woke it.")
    @State
    public static class QueueAwait {
        static final int MESSAGES = 1_000;
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").capacity(4).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());
        /** The last sequence the consumer took. */
        private volatile long taken;

        public QueueAwait() {
            if (sub.await(Duration.ofNanos(1)).isPresent()) { // registers: publishes fence and signal from now on
                throw new IllegalStateException("nothing was published yet");
            }
        }

        @Actor
        public void consumer() {
            for (long i = 1; i <= MESSAGES; i++) {
                long seq = sub.await().orElseThrow().sequence();
                if (seq != i) {
                    throw new IllegalStateException("sequence " + seq + ", expected " + i);
                }
                taken = seq;
            }
        }

        @Signal
        public void publisher() {
            Thread t = new Thread(() -> {
                for (int i = 1; i <= MESSAGES; i++) {
                    while (taken < i - 1) {
                        Thread.onSpinWait();
                    }
                    hub.publish(i);
                }
            }, "publisher");
            t.setDaemon(true);
            t.start();
        }
    }
}
