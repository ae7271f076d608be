package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The ring engine's wake list. A publish on the ring touches no subscriber: it wakes only those
 * on the hub's wake list. A push subscription's drain task going idle sets its run state,
 * enlists ({@code RingDispatcher.enlist}: a flag, the list, its count), issues a full fence and
 * looks at the ring's cursor again; the publisher moves the cursor, issues a full fence
 * ({@code Hub.fanOut}) and takes the subscriptions enlisted at that moment
 * ({@code RingDispatcher.wake}). A subscription it takes off the list while the task is idle is
 * put back on it ({@code HandlerSubscription.wakeFromList}), so a later publish wakes it too.
 *
 * <p>Before the race the task is running (scheduled by message 1) and off the list (message 2's
 * publish took it off while it ran). The consumer actor runs the task: it delivers 1 and 2 and
 * goes idle; the publisher actor publishes message 3. r1: messages the task delivered; r2:
 * drain tasks the publish scheduled; r3: messages delivered in all after the arbiter has run
 * that task, if any, published message 4 and run the task it scheduled, if any: a subscription
 * that went idle off the list would never get message 4.
 */
@JCStressTest
@Description("Ring engine, push: a drain task enlisting as it goes idle races a publish; nothing may be left unwoken")
@Outcome(id = "3, 0, 4", expect = ACCEPTABLE, desc = "The task took message 3 itself: the publish found it running, or found it enlisted after it had seen the cursor.")
@Outcome(id = "2, 1, 4", expect = ACCEPTABLE, desc = "The task went idle and enlisted; the publish took it off the list and scheduled the next task.")
@Outcome(id = "3, 1, 4", expect = ACCEPTABLE_INTERESTING, desc = "Spurious wake: the publish saw the task idle with message 3 readable, the task took it and went idle again, then the publish's compare-and-set won. The extra task finds nothing.")
@Outcome(id = "2, 0, .", expect = FORBIDDEN, desc = "Lost wake-up: the idle task did not see message 3, the publish did not see it enlisted.")
@Outcome(id = "., ., [0-3]", expect = FORBIDDEN, desc = "The idle subscription fell off the wake list: the publish of message 4 did not wake it.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a message lost or delivered twice.")
@State
public class RingWakeListStress {
    private final Tasks tasks = new Tasks();
    private final Received received = new Received();
    private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").engine(Engine.ring(8)).capacity(8)
            .executor(tasks).build();
    private final Runnable drain;

    public RingWakeListStress() {
        hub.subscribe(Overflow.dropOldest(), received);
        hub.publish(1); // wakes the idle subscription from the list: its task is scheduled, it enlists again
        drain = tasks.take();
        hub.publish(2); // takes it off the list again: it is running, so it stays off
        if (tasks.scheduled != 0) {
            throw new IllegalStateException("a running subscription was scheduled again");
        }
    }

    @Actor
    public void consumer() {
        drain.run();
    }

    @Actor
    public void publisher() {
        hub.publish(3);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = received.count;
        r.r2 = tasks.scheduled;
        if (tasks.scheduled > 0) {
            tasks.take().run();
        }
        hub.publish(4);
        if (tasks.scheduled > 0) {
            tasks.take().run();
        }
        r.r3 = received.count;
    }
}
