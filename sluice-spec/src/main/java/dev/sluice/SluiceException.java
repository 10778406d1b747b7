package dev.sluice;

/**
 * Root of every error Sluice reports to a user. Messages say what failed, the offending value, what was
 * expected, and where; only the CLI maps these to exit codes.
 */
public class SluiceException extends RuntimeException {
    public SluiceException(String message) {
        super(message);
    }

    public SluiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
