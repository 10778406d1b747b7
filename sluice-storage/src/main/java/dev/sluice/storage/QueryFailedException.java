package dev.sluice.storage;

/**
 * A user query was accepted (one read-only statement) but DuckDB could not run it: an unknown table or column, a
 * type error, a timeout. It is the user's query that failed, not the store; the server answers it with 400.
 */
public class QueryFailedException extends StorageException {
    public QueryFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
