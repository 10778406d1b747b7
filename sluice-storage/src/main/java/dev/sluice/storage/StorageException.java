package dev.sluice.storage;

import dev.sluice.SluiceException;

/**
 * A store could not do what was asked: a table's existing schema differs from its definition, a batch could not
 * be written (and was rolled back), or the database file cannot be opened. The message names the table, the
 * offending value and what was expected.
 */
public class StorageException extends SluiceException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
