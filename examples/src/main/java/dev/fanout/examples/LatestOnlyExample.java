package dev.fanout.examples;

import dev.fanout.Delivery;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PullSubscription;
import dev.fanout.Subscription;
import dev.fanout.SubscriptionStats;
import java.time.Duration;
import java.util.Optional;

/**
 * Latest only: a subscriber that wants the current state, not every change. Whatever its speed,
 * each read gives it the newest state; the intermediate ones are superseded and counted.
 *
 * <p>A scoreboard publishes a new version every 10 ms. Two screens subscribe with
 * {@code latestOnly}: one refreshes every 20 ms, the other every 250 ms. Both always show the
 * newest version at the moment they read, skip what they had no time for, and once the
 * scoreboard stops both show its final version. This is the leaderboard's strategy: a slow
 * spectator gets the final standings, not a backlog of old ones.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=LatestOnlyExample -Dexec.args=2s}
 *
 * <p>Expected output (timing shifts the exact numbers):
 * <pre>
 * slow screen (250ms): shows version 25 (skipped 24)
 * slow screen (250ms): shows version 50 (skipped 24)
 * ...
 * published=200
 * fast screen (20ms): reads=100 superseded=100 final version=200 (the last published: true)
 * slow screen (250ms): reads=9 superseded=191 final version=200 (the last published: true)
 * </pre>
 * The fast screen's individual reads are not printed, only its totals.
 */
public final class LatestOnlyExample {
    private LatestOnlyExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(2));

        // @start region="subscribe"
        Hub<String> scoreboard = Hub.<String>builder().name("scoreboard").build();
        PullSubscription<String> fast = scoreboard.subscribe(Overflow.latestOnly());
        PullSubscription<String> slow = scoreboard.subscribe(Overflow.latestOnly());
        // @end

        Screen fastScreen = new Screen("fast screen (20ms)", fast, Duration.ofMillis(20), false);
        Screen slowScreen = new Screen("slow screen (250ms)", slow, Duration.ofMillis(250), true);
        Thread f = Thread.ofVirtual().start(fastScreen);
        Thread s = Thread.ofVirtual().start(slowScreen);

        long start = System.nanoTime();
        long version = 0;
        while (System.nanoTime() - start < runFor.toNanos()) {
            version++;
            scoreboard.publish("version " + version);
            Examples.sleep(Duration.ofMillis(10));
        }
        scoreboard.close(); // each screen still gets the last version it has not read
        f.join();
        s.join();

        System.out.println("published=" + version);
        for (Screen screen : new Screen[] {fastScreen, slowScreen}) {
            SubscriptionStats st = screen.subscription.stats();
            System.out.println(screen.name + ": reads=" + screen.reads + " superseded=" + st.superseded()
                    + " final version=" + screen.shown + " (the last published: " + (screen.shown == version) + ")");
        }
    }

    /** Reads the newest state every {@code every}; no output of its own unless {@code verbose}. */
    private static final class Screen implements Runnable {
        final String name;
        final PullSubscription<String> subscription;
        final Duration every;
        final boolean verbose;
        long shown;
        long reads;

        Screen(String name, PullSubscription<String> subscription, Duration every, boolean verbose) {
            this.name = name;
            this.subscription = subscription;
            this.every = every;
            this.verbose = verbose;
        }

        @Override
        public void run() {
            while (true) {
                Optional<Delivery<String>> d = subscription.await(Duration.ofSeconds(1));
                if (d.isEmpty()) {
                    if (subscription.isClosed()) {
                        return;
                    }
                    continue;
                }
                long seq = d.get().sequence();
                if (verbose) {
                    System.out.println(name + ": shows " + d.get().message()
                            + (shown > 0 ? " (skipped " + (seq - shown - 1) + ")" : ""));
                }
                shown = seq;
                reads++;
                Examples.sleep(every);
            }
        }
    }
}
