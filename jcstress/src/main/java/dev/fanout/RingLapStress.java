package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Optional;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JI_Result;

/**
 * The ring's lap check ({@code RingCursor.poll}, {@code RingDispatcher.Slot}). A lossy cursor
 * reads a slot while the publisher overwrites it for the next lap. The writer clears the slot's
 * stamp, writes the message and its sequence, and sets the stamp to the ring position plus one
 * (release); the reader reads the stamp (acquire), the two fields, and after a load fence the
 * stamp again, and takes the slot only when both reads give the position it expects. So a reader
 * hands out the message it expects, whole, or skips ahead and counts what it skipped: never a
 * later lap's message in its place, never one half of each.
 *
 * <p>The ring has 4 slots and holds messages 1 to 4; the subscriber ({@code dropOldest},
 * capacity 4) has read nothing. The consumer actor polls once (ring position 0, slot 0) while
 * the publisher actor publishes message 5 into slot 0. Each message is its sequence times 10.
 * r1: the sequence the poll returned; r2: its message divided by 10.
 */
@JCStressTest
@Description("Ring engine: a read racing the overwrite of its slot gets the expected message whole, or skips ahead")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Read slot 0 before the overwrite: message 1.")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "Saw the cursor past its capacity, or the slot overwritten while it read: skipped 1, read 2.")
@Outcome(id = "5, 5", expect = FORBIDDEN, desc = "The later lap's message handed out in place of message 1.")
@Outcome(id = {"1, 5", "5, 1"}, expect = FORBIDDEN, desc = "Torn read: the sequence of one lap with the message of another.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class RingLapStress {
    private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").engine(Engine.ring(4)).capacity(4).build();
    private final PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());

    public RingLapStress() {
        for (int i = 1; i <= 4; i++) {
            hub.publish(i * 10);
        }
    }

    @Actor
    public void consumer(JI_Result r) {
        Optional<Delivery<Integer>> d = sub.poll();
        r.r1 = d.map(Delivery::sequence).orElse(-1L);
        r.r2 = d.map(x -> x.message() / 10).orElse(-1);
    }

    @Actor
    public void publisher() {
        hub.publish(50);
    }
}
