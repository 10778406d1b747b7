package dev.sluice.server;

import dev.sluice.SluiceException;

/** A request named a topic that does not belong to the pipeline; the API answers it with 404. */
public final class NoSuchTopicException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public NoSuchTopicException(String message) {
        super(message);
    }
}
