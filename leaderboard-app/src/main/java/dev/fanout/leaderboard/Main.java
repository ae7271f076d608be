package dev.fanout.leaderboard;

import io.helidon.config.ConfigException;
import io.helidon.logging.common.LogConfig;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the leaderboard: {@code java -jar leaderboard.jar [--KEY=VALUE]...}; {@code --help}
 * lists the keys ({@link Options}: flag, environment variable or configuration file, same keys).
 *
 * <p>On start it logs where it listens, the store (and the journal), and the limits in force. On
 * SIGTERM or Ctrl-C a shutdown hook closes the app ({@link LeaderboardApp#close()}: streams end,
 * the listener stops, the journal is closed), logging each step, and the JVM exits 0. Exits 2,
 * with one line and no stack trace, for a bad option, an invalid configuration or a damaged
 * journal.
 */
public final class Main {

    private Main() {
    }

    /**
     * @param args {@code --KEY=VALUE} or {@code --KEY VALUE} for every key of {@code --help},
     *             {@code --config FILE}, {@code --help}
     */
    public static void main(String[] args) {
        // before anything logs; a class literal loads the class without initializing LogManager
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
        Options.CommandLine line;
        try {
            line = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("leaderboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (line.help()) {
            System.out.print(Options.help());
            return;
        }
        LogConfig.configureRuntime();
        System.Logger log = System.getLogger(Main.class.getName());
        LeaderboardApp app;
        try {
            app = LeaderboardApp.start(Options.config(line, System.getenv()));
        } catch (IllegalArgumentException | ConfigException | Journal.DamagedException e) {
            // the message names the key or the file, the value and what is expected: no stack trace
            log.log(System.Logger.Level.ERROR, "cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ShutdownLogManager.holdResetUntil(stopped);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("leaderboard-shutdown").unstarted(() -> {
            try {
                log.log(System.Logger.Level.INFO, "shutting down");
                app.close();
            } finally {
                stopped.countDown();
            }
        }));
        log.log(System.Logger.Level.INFO, app.describe());
        log.log(System.Logger.Level.INFO, app.limits());
    }
}
