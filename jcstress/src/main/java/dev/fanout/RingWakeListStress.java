package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
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
 * drain tasks the publish scheduled; r3: 1 when message 4, published after the race, is
 * picked up (a task is pending, or its publish schedules one).
 */
@JCStressTest
@Description("Ring engine, push: a drain task enlisting as it goes idle races a publish; nothing may be left unwoken")
@Outcome(id = "3, 0, 1", expect = ACCEPTABLE, desc = "The task took message 3 itself (the publish found it running, or not yet enlisted while the cursor was visible).")
@Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "The task went idle and enlisted; the publish took it off the list and scheduled the next task.")
@Outcome(id = "2, 0, .", expect = FORBIDDEN, desc = "Lost wake-up: the idle task did not see message 3, the publish did not see it enlisted.")
@Outcome(id = "3, 1, .", expect = FORBIDDEN, desc = "Two drain tasks: the publish scheduled one while the task took the message.")
@Outcome(id = "., ., 0", expect = FORBIDDEN, desc = "The idle subscription fell off the wake list: a later publish does not wake it.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
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
        boolean pending = tasks.scheduled > 0;
        int before = tasks.scheduled;
        hub.publish(4);
        r.r3 = pending || tasks.scheduled > before ? 1 : 0;
    }
}
