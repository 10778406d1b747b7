package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.server.DiskFullException;
import dev.sluice.spec.SpecException;
import picocli.CommandLine;

/**
 * Maps exceptions to messages and exit codes: 1 for an invalid pipeline, 3 for anything that failed at run time, 4 when
 * the data directory's disk filled up (free space and run the same command again to resume).
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int INVALID_PIPELINE = 1;
    static final int FAILED = 3;
    static final int DISK_FULL = 4;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (e instanceof SpecException spec) {
            Console.error(spec.problems().size() == 1 ? "The pipeline is not valid:" : "The pipeline is not valid (" + spec.problems().size() + " problems):");
            spec.problems().forEach(p -> Console.error("  " + p));
            return INVALID_PIPELINE;
        }
        if (e instanceof DiskFullException) {
            Console.error("sluice: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(ErrorHandler.class).error("Stopped because the disk is full.", e);
            return DISK_FULL;
        }
        if (e instanceof SluiceException) {
            Console.error("sluice: " + e.getMessage());
        } else {
            Console.error("sluice: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        Console.error("Details are in the log: " + System.getProperty("sluice.log.dir", "sluice-data/logs") + "/sluice.log");
        org.slf4j.LoggerFactory.getLogger(ErrorHandler.class).error("Command failed.", e);
        return FAILED;
    }
}
