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
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * {@code Hub.close()} against a publish. Close marks the hub closed, releases a parked
 * publisher, waits for the publish in flight (it takes and drops the publish lock), and only then
 * lets each subscription drain what it holds and end. So a publish either returns
 * {@link Hub#CLOSED} and reaches no one, or returns its sequence and is delivered to every
 * subscriber during the drain. A single-publisher hub has no lock to wait on: there the message
 * of a publish that races the close is delivered by a subscription still draining, or counted
 * offered and dropped {@link DropCause#CLOSED} by one that has drained and ended; it is never
 * published without being offered.
 *
 * <p>The publisher actor publishes one message, the closer actor closes the hub; then the
 * arbiter drains the pull subscription. r1: what publish returned (1, or -1 for closed); r2:
 * messages the subscription delivered; r3: 1 when its books balance
 * ({@code offered == delivered + dropped + depth}); r4: messages offered to it.
 */
public final class CloseVsPublishStress {

    private CloseVsPublishStress() {
    }

    static void drain(Hub<Integer> hub, PullSubscription<Integer> sub, IIII_Result r) {
        int n = 0;
        while (sub.poll().isPresent()) {
            n++;
        }
        r.r2 = n;
        SubscriptionStats s = sub.stats();
        r.r3 = s.offered() == s.delivered() + s.dropped() + s.depth() && sub.isClosed() && hub.isClosed() ? 1 : 0;
        r.r4 = (int) s.offered();
    }

    /** The queue engine, publishers serialised by the lock. */
    @JCStressTest
    @Description("Queue engine: close waits for the publish in flight; a published message is delivered while draining")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "The publish came first; close waited for it and the subscription delivered it.")
    @Outcome(id = "-1, 0, 1, 0", expect = ACCEPTABLE, desc = "The close came first; the publish was refused.")
    @Outcome(id = "1, 0, ., .", expect = FORBIDDEN, desc = "Published, but never offered to the subscription: close did not wait for it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Queue {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").capacity(4).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());

        @Actor
        public void publisher(IIII_Result r) {
            r.r1 = (int) hub.publish(1);
        }

        @Actor
        public void closer() {
            hub.close();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            drain(hub, sub, r);
        }
    }

    /** The ring engine: close freezes each cursor at the ring's cursor once the publish in flight is done. */
    @JCStressTest
    @Description("Ring engine: close waits for the publish in flight before it freezes the cursors")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "The publish came first; close froze the cursor after it and the subscription delivered it.")
    @Outcome(id = "-1, 0, 1, 0", expect = ACCEPTABLE, desc = "The close came first; the publish was refused.")
    @Outcome(id = "1, 0, ., .", expect = FORBIDDEN, desc = "Published, but the cursor froze before its slot: close did not wait for it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Ring {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").engine(Engine.ring(4)).capacity(4).build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());

        @Actor
        public void publisher(IIII_Result r) {
            r.r1 = (int) hub.publish(1);
        }

        @Actor
        public void closer() {
            hub.close();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            drain(hub, sub, r);
        }
    }

    /** A single-publisher hub: close cannot see the publish in flight, as {@link Hub} documents. */
    @JCStressTest
    @Description("Single publisher, queue engine: a publish racing close is delivered, or offered and dropped CLOSED")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "The publish's offer landed before the subscription drained: delivered.")
    @Outcome(id = "-1, 0, 1, 0", expect = ACCEPTABLE, desc = "The close came first; the publish was refused.")
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE_INTERESTING, desc = "The documented race: the publish read the hub open, the subscription had drained and ended, and counts the message offered and dropped CLOSED.")
    @Outcome(id = "1, 0, ., 0", expect = FORBIDDEN, desc = "Published, but never offered to the subscription.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a message delivered after a refusal, or books that do not balance.")
    @State
    public static class SinglePublisher {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").capacity(4).singlePublisher().build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.dropNewest());

        @Actor
        public void publisher(IIII_Result r) {
            r.r1 = (int) hub.publish(1);
        }

        @Actor
        public void closer() {
            hub.close();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            drain(hub, sub, r);
        }
    }

    /** The same race on the ring: the close ends each cursor where the ring's cursor stops. */
    @JCStressTest
    @Description("Single publisher, ring engine: a publish racing close is delivered, or offered and dropped CLOSED")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "The publish's slot was readable while the subscription drained: delivered.")
    @Outcome(id = "-1, 0, 1, 0", expect = ACCEPTABLE, desc = "The close came first; the publish was refused.")
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE_INTERESTING, desc = "The documented race: the subscription had drained and ended, and counts the message offered and dropped CLOSED.")
    @Outcome(id = "1, 0, ., 0", expect = FORBIDDEN, desc = "Published, but the cursor ended before its slot: never offered.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a message delivered after a refusal, or books that do not balance.")
    @State
    public static class RingSinglePublisher {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").engine(Engine.ring(4)).capacity(4)
                .singlePublisher().build();
        private final PullSubscription<Integer> sub = hub.subscribe(Overflow.dropOldest());

        @Actor
        public void publisher(IIII_Result r) {
            r.r1 = (int) hub.publish(1);
        }

        @Actor
        public void closer() {
            hub.close();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            drain(hub, sub, r);
        }
    }
}
