package dev.sluice.storage;

import dev.sluice.SluiceException;

/**
 * A query was refused before it ran: it is empty, has more than one statement, is not read-only, or cannot be
 * parsed. The message says which rule it broke and what it got, e.g. {@code only one statement is allowed, got 2}.
 */
public class QueryRejectedException extends SluiceException {
    public QueryRejectedException(String message) {
        super(message);
    }
}
