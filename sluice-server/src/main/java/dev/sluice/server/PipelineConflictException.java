package dev.sluice.server;

import dev.sluice.SluiceException;

/**
 * A deploy the server cannot carry out as asked: not enough free task slots, or a new version that Flink would not
 * start from the previous version's state. The API answers it with 409.
 */
public final class PipelineConflictException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public PipelineConflictException(String message) {
        super(message);
    }

    public PipelineConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
