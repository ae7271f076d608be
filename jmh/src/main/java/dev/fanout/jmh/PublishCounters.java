package dev.fanout.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The publisher thread's counters, reported by JMH per second beside the publish rate:
 * {@code deliveries} (messages the subscribers' handlers received during the iteration) and
 * {@code drops} (messages the subject said it dropped).
 *
 * <p>Both are differences of the subject's own counts, taken at the first publish of the
 * iteration and in the iteration's teardown, which JMH runs after every thread of the group has
 * stopped, so the deliveries are exact; they include the short ramp-up and ramp-down of the
 * iteration, which JMH's own operation count excludes.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class PublishCounters {
    /** Messages received by subscribers in this iteration. */
    public long deliveries;
    /** Messages dropped in this iteration, as the subject reports them. */
    public long drops;

    private Counted subject;
    private boolean started;
    private long baseDelivered;
    private long baseDropped;
    private long next;

    /** Starts an iteration. */
    @Setup(Level.Iteration)
    public void reset() {
        deliveries = 0;
        drops = 0;
        started = false;
    }

    /** Ends an iteration: all threads have stopped, the counts are settled. */
    @TearDown(Level.Iteration)
    public void count() {
        if (started) {
            deliveries = subject.delivered() - baseDelivered;
            drops = subject.dropped() - baseDropped;
        }
    }

    /** Publisher thread: called once per publish, before it. */
    final Long nextMessage(Counted s) {
        if (!started) {
            started = true;
            subject = s;
            baseDelivered = s.delivered();
            baseDropped = s.dropped();
        }
        return Messages.get(next++);
    }
}
