package dev.fanout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A resume from the message a publish is putting out, against that publish. A publish numbers
 * its message ({@link Hub#sequence()} shows it) before it puts the message in the history under
 * the seam; a subscriber that has the message already (from another instance of a cluster, which
 * read it first) and resumes after it here once {@code sequence()} shows it must not start with
 * a gap: the message exists, and nothing after it was missed. So a resume that finds the history
 * one message short of {@code sequence()} lets the publish in and looks again.
 *
 * <p>The publisher actor publishes message 1. The resumer reads {@code sequence()}; when it
 * shows message 1, it resumes after 1 (r1 = 1) and reports whether the subscription started
 * with a gap (r2 = 1) or not (r2 = 0); otherwise r1 = 0, r2 = 0.
 */
public final class ResumeVsPublishStress {

    private ResumeVsPublishStress() {
    }

    static void resume(Hub<Integer> hub, II_Result r) {
        if (hub.sequence() >= 1) {
            PullSubscription<Integer> s = hub.subscriber().resumeAfter(1).subscribe();
            r.r1 = 1;
            r.r2 = s.startGap() ? 1 : 0;
            s.close();
        }
    }

    /** Publishers serialised by the lock. */
    @JCStressTest
    @Description("A resume after the message being published, once sequence() shows it, starts without a gap")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "Seen published; resumed after it with no gap.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not yet published when looked at; no resume.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Seen published, yet the resume after it started with a gap.")
    @State
    public static class Locked {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").history(History.last(4)).build();

        @Actor
        public void publisher() {
            hub.publish(1);
        }

        @Actor
        public void resumer(II_Result r) {
            resume(hub, r);
        }
    }

    /** A single publisher, the way a cluster instance's reader publishes what it reads. */
    @JCStressTest
    @Description("Single publisher: a resume after the message being published, once sequence() shows it, starts without a gap")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "Seen published; resumed after it with no gap.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not yet published when looked at; no resume.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Seen published, yet the resume after it started with a gap.")
    @State
    public static class SinglePublisher {
        private final Hub<Integer> hub = Hub.<Integer>builder().epoch("jcstress").history(History.last(4))
                .singlePublisher().build();

        @Actor
        public void publisher() {
            hub.publish(1);
        }

        @Actor
        public void resumer(II_Result r) {
            resume(hub, r);
        }
    }
}
