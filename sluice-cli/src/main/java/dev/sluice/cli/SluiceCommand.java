package dev.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluice}: run the demo, serve pipelines, validate one, or deploy to and stop pipelines on a running server. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Real-time data processing: producers -> Kafka -> Flink SQL -> storage -> API.",
        subcommands = {DemoCommand.class, ServeCommand.class, RunCommand.class, ValidateCommand.class, DeployCommand.class,
                StopCommand.class, PipelinesCommand.class, ProduceCommand.class, DlqCommand.class, KeysCommand.class, BenchCommand.class})
final class SluiceCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
