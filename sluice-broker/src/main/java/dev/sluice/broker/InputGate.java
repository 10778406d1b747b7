package dev.sluice.broker;

import java.util.Optional;

/**
 * Whether the embedded broker accepts new input. While the gate is closed, producers may not write to any topic but
 * Sluice's own ({@code sluice.*}, Kafka's internal {@code __*}): a Kafka client writing to a source topic gets a
 * {@code TopicAuthorizationException}, while the pipelines go on writing results, dead letters and checkpoints, so
 * that what was accepted is still processed and stored. Sluice closes the gate when the data directory runs out of
 * space, before the broker would fail to append.
 *
 * <p>Thread-safe; the broker's request threads read it for every produce request.
 */
public final class InputGate {
    private volatile String refusal;

    /** Refuses new input from now on; {@code reason} is what clients and the log are told. */
    public void close(String reason) {
        refusal = reason;
    }

    /** Accepts new input again. */
    public void open() {
        refusal = null;
    }

    public boolean isOpen() {
        return refusal == null;
    }

    /** Why input is refused, when it is. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** Whether a write to {@code topic} is input the gate governs, rather than Sluice's own or Kafka's internal data. */
    public static boolean isInputTopic(String topic) {
        return !topic.startsWith("sluice.") && !topic.startsWith("__");
    }
}
