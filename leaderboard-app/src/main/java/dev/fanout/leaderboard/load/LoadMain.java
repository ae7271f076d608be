package dev.fanout.leaderboard.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The load generator's entry point, a second main of the leaderboard-app module:
 * {@code java -cp <app classpath> dev.fanout.leaderboard.load.LoadMain run --connections 1000 ...}
 * ({@code bench/load.sh} builds the class path). Subcommands: {@code run} (streams, submissions,
 * latency; see {@link LoadRun}), {@code idle} (silent connections held while the API is probed;
 * see {@link IdleRun}) and {@code verify-acks} (after a crash: every acknowledged game counted
 * exactly once; see {@link VerifyAcks}).
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load generator for the leaderboard app (loopback targets only).",
        subcommands = {LoadRun.class, IdleRun.class, VerifyAcks.class, CommandLine.HelpCommand.class})
public final class LoadMain {

    private LoadMain() {
    }

    /** @param args the command line; exits with the command's status */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return the configured command line, for tests */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LoadMain());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                line.getErr().println("load: " + e.getMessage()); // a refused option or target: no stack trace
                return 2;
            }
            throw e;
        });
        return cl;
    }
}
