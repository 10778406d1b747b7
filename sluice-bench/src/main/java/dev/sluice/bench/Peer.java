package dev.sluice.bench;

/**
 * A system Sluice is compared with, running the 10 s tumbling count and sum per merchant on the payments already in a
 * topic, reading it to its end.
 */
interface Peer {
    String name();

    /** Runs the aggregation over the whole topic and returns its windows and what it cost. */
    PeerRun run(String bootstrapServers, String topic, long events) throws Exception;
}
