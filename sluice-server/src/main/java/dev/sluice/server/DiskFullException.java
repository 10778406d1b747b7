package dev.sluice.server;

import dev.sluice.SluiceException;

/**
 * Sluice stopped because its data directory's disk filled up before the low-disk levels could keep input out (another
 * process took the space, say). Every event the broker acknowledged is on disk, and the pipelines' checkpoints are
 * there: starting again on the same data directory, once space is free, resumes exactly where processing stopped.
 */
public final class DiskFullException extends SluiceException {
    public DiskFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
