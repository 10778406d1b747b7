package dev.sluice.cli;

import picocli.CommandLine;

/** Version of Sluice and of the engines it embeds. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String sluice = Version.class.getPackage().getImplementationVersion();
        return new String[] {
            "Sluice " + (sluice == null ? "development build" : sluice),
            "Apache Flink " + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
                    + ", Apache Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion()
                    + ", Java " + System.getProperty("java.version")
        };
    }
}
