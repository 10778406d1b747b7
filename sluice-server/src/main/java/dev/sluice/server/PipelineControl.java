package dev.sluice.server;

import dev.sluice.spec.PipelineSpec;

/** Deploys and removes pipelines on a running server; {@link SluiceServer} is the real one. */
public interface PipelineControl {
    /**
     * Starts the pipeline, or upgrades the running one of the same name: that one stops with a savepoint and the
     * new version starts from it.
     *
     * @return the new pipeline's status, and whether it replaced a running version
     * @throws PipelineConflictException when there are not enough free task slots, or the new version cannot start
     *     from the previous version's state (the previous version's savepoint is kept)
     * @throws dev.sluice.spec.SpecException when a view does not plan, located in the pipeline file
     */
    Deployed deploy(PipelineSpec spec);

    /**
     * Like {@link #deploy(PipelineSpec)}; with {@code allowStateReset}, a new version whose views no longer fit the
     * running version's state starts over instead of being refused: its state is set aside, its tables are emptied and
     * rebuilt from the events the source topics still hold.
     */
    default Deployed deploy(PipelineSpec spec, boolean allowStateReset) {
        return deploy(spec);
    }

    /**
     * Stops the pipeline with a savepoint and stores its last results; its tables and state are kept, so deploying it
     * again continues where it stopped.
     *
     * @throws NoSuchPipelineException when no pipeline of that name runs
     */
    void remove(String name);

    /** The outcome of a deploy. */
    record Deployed(PipelineStatus status, boolean upgraded) {}
}
