package dev.sluice.server;

import dev.sluice.SluiceException;

/** A request named a pipeline this server does not run; the API answers it with 404. */
public final class NoSuchPipelineException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public NoSuchPipelineException(String message) {
        super(message);
    }
}
