package dev.sluice.cli;

import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;

/** Entry point of the {@code sluice} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Logs go to <data-dir>/logs; the directory must be known before the first logger is created.
        System.setProperty("sluice.log.dir", DataDirArgument.find(args).resolve("logs").toString());
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
