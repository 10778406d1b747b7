package dev.sluice.storage;

import dev.sluice.SluiceException;

/**
 * A query was refused because as many queries as {@link QueryLimits#maxConcurrentQueries()} allows are running; it
 * may be sent again once one of them ends. The server answers it with 429.
 */
public class TooManyQueriesException extends SluiceException {
    public TooManyQueriesException(String message) {
        super(message);
    }
}
