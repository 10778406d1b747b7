package dev.sluice.server;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * How long a server took from the JVM's start to its first stored row, phase by phase. Each phase is given as the
 * moment it ended, in milliseconds since the JVM started; phases overlap (the broker, the Flink cluster, the store and
 * the planning of the pipelines start side by side), so the moments are not durations that add up. In order of time:
 * <ul>
 *   <li>{@value #MAIN}: the command's {@code main} began (JVM start and class loading before it)</li>
 *   <li>{@value #SERVER}: the server began to start (command line and pipeline files read)</li>
 *   <li>{@value #BROKER}, {@value #FLINK}, {@value #STORE}: the embedded Kafka broker, the Flink cluster and the store are up</li>
 *   <li>{@value #PLANNED}: the last pipeline's Flink job is planned (its SQL optimised and translated)</li>
 *   <li>{@value #TOPICS}: its topics and tables exist</li>
 *   <li>{@value #SUBMITTED}: its job is accepted by the Flink cluster</li>
 *   <li>{@value #API}: the HTTP API answers</li>
 *   <li>{@value #RUNNING}: every task of the job that stored the first row runs</li>
 *   <li>{@value #CHECKPOINT}: that job's first checkpoint completed (with exactly-once delivery, results become visible
 *       only then)</li>
 *   <li>{@value #FIRST_ROW}: the loader committed the first row into a table</li>
 * </ul>
 * A phase that did not happen (an external broker, a remote Flink cluster) is left out.
 *
 * @param phases         the phases, in order of time
 * @param firstRowTable  the table the first row went into, qualified ({@code pipeline.table})
 * @param cpuMillis      the process's CPU time (all threads) at the first row
 */
public record StartupReport(List<Phase> phases, String firstRowTable, long cpuMillis) {
    public static final String MAIN = "main";
    public static final String SERVER = "server";
    public static final String BROKER = "broker";
    public static final String FLINK = "flink";
    public static final String STORE = "store";
    public static final String PLANNED = "planned";
    public static final String TOPICS = "topics";
    public static final String SUBMITTED = "submitted";
    public static final String API = "api";
    public static final String RUNNING = "running";
    public static final String CHECKPOINT = "checkpoint";
    public static final String FIRST_ROW = "first-row";

    /** One phase: its name and when it ended, in ms since the JVM started. */
    public record Phase(String name, long atMillis) {}

    public StartupReport {
        phases = phases.stream().sorted(Comparator.comparingLong(Phase::atMillis)).toList();
    }

    /** When the phase ended, in ms since the JVM started; empty when it did not happen. */
    public OptionalLong at(String phase) {
        return phases.stream().filter(p -> p.name().equals(phase)).mapToLong(Phase::atMillis).findFirst();
    }

    /** JVM start to the first stored row, in ms. */
    public long totalMillis() {
        return at(FIRST_ROW).orElseThrow();
    }

    /** One line: {@code 14.2 s to the first row (payments.dead_letters), 25.3 CPU-s: main 0.4 s, server 1.2 s, ...}. */
    public String summary() {
        return String.format(Locale.ROOT, "%.1f s from the JVM's start to the first row stored (%s), %.1f CPU-s: %s",
                totalMillis() / 1000.0, firstRowTable, cpuMillis / 1000.0,
                phases.stream().map(p -> String.format(Locale.ROOT, "%s %.1f s", p.name(), p.atMillis() / 1000.0))
                        .collect(Collectors.joining(", ")));
    }
}
