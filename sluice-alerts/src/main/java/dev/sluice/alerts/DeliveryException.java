package dev.sluice.alerts;

import dev.sluice.SluiceException;

/**
 * A notification could not be delivered. {@code retryable} failures (timeouts, refused connections, HTTP 5xx and
 * 429) are tried again with backoff; the others (refused addresses, redirects, HTTP 4xx, missing secrets) are given up
 * at once.
 */
public final class DeliveryException extends SluiceException {
    private final boolean retryable;

    public DeliveryException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public DeliveryException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
