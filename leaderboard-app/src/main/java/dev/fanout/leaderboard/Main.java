package dev.fanout.leaderboard;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * Starts the leaderboard with {@code application.yaml} and environment overrides, logs one line
 * with the address and the store, and stops cleanly on SIGTERM or Ctrl-C.
 */
public final class Main {

    private Main() {
    }

    /**
     * @param args ignored; configure with {@code application.yaml} or environment variables
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        LeaderboardApp app;
        try {
            app = LeaderboardApp.start(config);
        } catch (Journal.DamagedException e) {
            // the message says what is damaged, where, and how to repair: no stack trace
            System.getLogger(Main.class.getName()).log(System.Logger.Level.ERROR, e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("leaderboard-shutdown").unstarted(app::close));
        System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO, app.describe());
    }
}
