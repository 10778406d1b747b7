package dev.sluice.cli;

import dev.sluice.server.StartupTimeline;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;

/** Entry point of the {@code sluice} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        StartupTimeline.mainStarted();
        // Logs go to <data-dir>/logs; the directory must be known before the first logger is created.
        System.setProperty("sluice.log.dir", DataDirArgument.find(args).resolve("logs").toString());
        // A name of our own: dependencies inside the distribution jar may carry a log4j2.xml of theirs.
        System.setProperty("log4j2.configurationFile", "sluice-log4j2.xml");
        // Log4j's own warnings (e.g. about Flink's extra log arguments) are noise on a user's terminal.
        System.setProperty("log4j2.statusLoggerLevel", "ERROR");
        int code = execute(args);
        LogManager.shutdown();
        System.exit(code);
    }

    static int execute(String... args) {
        return new CommandLine(new SluiceCommand())
                .setExecutionExceptionHandler(new ErrorHandler())
                .execute(args);
    }
}
