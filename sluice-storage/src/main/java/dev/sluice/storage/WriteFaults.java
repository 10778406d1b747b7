package dev.sluice.storage;

/**
 * For fault injection only: a hook around {@link ResultStore#write}'s database commit. Production leaves it at
 * {@link #NONE}; the fault-injection tests install one that throws, to prove that the loader neither loses nor
 * duplicates rows when a write fails before the commit (the transaction rolls back) or after it (the rows and offsets
 * are stored, yet the writer sees an error).
 *
 * <pre>{@code
 * store.injectFaults(new WriteFaults() {
 *     public void afterCommit(LoadBatch batch) { throw new IllegalStateException("injected"); }
 * });
 * }</pre>
 */
public interface WriteFaults {
    /** Installs nothing: every call returns. */
    WriteFaults NONE = new WriteFaults() {};

    /** Called inside the write's transaction, after every statement and before the commit; a throw rolls it back. */
    default void beforeCommit(LoadBatch batch) {}

    /** Called right after the commit succeeded; a throw makes {@link ResultStore#write} fail although the batch is stored. */
    default void afterCommit(LoadBatch batch) {}
}
