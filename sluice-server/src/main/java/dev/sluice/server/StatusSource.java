package dev.sluice.server;

import java.util.List;
import java.util.Map;

/** What the API reports about the running pipelines; {@link SluiceServer} is the real one, tests use fakes. */
public interface StatusSource {
    /** Health of each part (broker, engine, storage, loader). */
    Map<String, SluiceServer.Health> health();

    /** A snapshot of every pipeline. */
    List<PipelineStatus> pipelines();
}
