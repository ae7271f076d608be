package dev.fanout.jcstress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;

/**
 * The entry point of {@code jcstress.jar}: runs jcstress 0.16 with the given options, exactly as
 * {@code org.openjdk.jcstress.Main} does, and then exits with a status a build can act on.
 *
 * <p>jcstress 0.16 itself exits with 1 when its options do not parse or when a test failed or
 * erred (its last report step throws an {@code AssertionError} listing them, which ends the
 * JVM), and with 0 otherwise, also when no test matched the filter ("No matching tests"). This
 * class runs it, reads the run's result blob back and exits with:
 * <ul>
 *   <li>0: at least one test ran, and every result passed (no forbidden outcome, no error);</li>
 *   <li>1: the options did not parse;</li>
 *   <li>2: a test failed (a forbidden outcome was seen) or erred (it threw, or timed out);</li>
 *   <li>3: no test ran.</li>
 * </ul>
 * With {@code -l} (list) or {@code -p} (parse an old blob) it does what jcstress does and exits 0.
 */
public final class Main {

    private Main() {
    }

    /**
     * @param args jcstress's options ({@code -h} lists them)
     * @throws Exception what jcstress throws
     */
    public static void main(String[] args) throws Exception {
        Options opts = new Options(args);
        if (!opts.parse()) {
            System.exit(1);
        }
        if (opts.shouldList() || opts.shouldParse()) {
            org.openjdk.jcstress.Main.main(args);
            return;
        }
        try {
            new JCStress(opts).run();
        } catch (AssertionError failures) {
            // jcstress's report of failed tests, printed in full above it: the verdict counts them
            System.out.println(failures.getMessage());
        }
        System.exit(verdict(opts.getResultFile()));
    }

    /** @return the exit status for the results in {@code blob}, after printing why */
    private static int verdict(String blob) throws Exception {
        if (!Files.exists(Path.of(blob))) {
            System.out.println("FANOUT: no test ran (no result file " + blob + ")");
            return 3;
        }
        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(blob, collector);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        Collection<TestResult> results = collector.getTestResults();
        Set<String> ran = new TreeSet<>();
        Set<String> failed = new TreeSet<>();
        for (TestResult r : results) {
            ran.add(r.getName());
            // as jcstress's text report counts them: a forbidden outcome, or an error other than
            // a test this VM cannot run (API_MISMATCH)
            boolean error = r.status() != Status.NORMAL && r.status() != Status.API_MISMATCH;
            boolean forbidden = r.status() == Status.NORMAL && !r.grading().isPassed;
            if (error || forbidden) {
                failed.add(r.getName() + (error ? " (" + r.status() + ")" : " (forbidden outcome)"));
            }
        }
        if (ran.isEmpty()) {
            System.out.println("FANOUT: no test ran");
            return 3;
        }
        if (!failed.isEmpty()) {
            System.out.println("FANOUT: " + failed.size() + " of " + ran.size() + " tests failed:");
            failed.forEach(f -> System.out.println("  " + f));
            return 2;
        }
        System.out.println("FANOUT: all " + ran.size() + " tests passed, " + results.size() + " configurations");
        return 0;
    }
}
