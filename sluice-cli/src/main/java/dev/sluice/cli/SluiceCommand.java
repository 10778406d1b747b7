package dev.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluice}: run the demo, run a pipeline, or validate one. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Real-time data processing: producers -> Kafka -> Flink SQL -> storage -> API.",
        subcommands = {DemoCommand.class, RunCommand.class, ValidateCommand.class, ProduceCommand.class})
final class SluiceCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
