package dev.sluice.storage;

/** What a {@link ResultLoader} is doing now. */
public enum LoaderStatus {
    /** Built or starting; not consuming yet. */
    STARTING,
    /** Waiting for the engine to create the result topics. */
    WAITING_FOR_TOPICS,
    /** Consuming and writing batches. */
    RUNNING,
    /** The last attempt failed (see {@link ResultLoader#lastError()}); retrying with backoff, nothing is lost. */
    FAILED,
    /** Closed. */
    STOPPED
}
