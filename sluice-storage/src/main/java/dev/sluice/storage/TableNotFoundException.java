package dev.sluice.storage;

/**
 * A table that was asked for by name does not exist. The message lists the tables that do, so a user can correct
 * the name; the server answers it with 404.
 */
public class TableNotFoundException extends StorageException {
    public TableNotFoundException(String message) {
        super(message);
    }
}
