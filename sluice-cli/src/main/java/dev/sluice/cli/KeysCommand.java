package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.server.ApiKeys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice keys create|list|revoke}: manages the API key file a server reads with {@code --api-key-file}. The file
 * holds salted HMACs of the keys; a created key is printed once and stored nowhere else. A running server notices a
 * changed file within a second.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create, list and revoke API keys in the key file a server reads (--api-key-file); see docs/security.md.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The key file option shared by the subcommands. */
    static final class FileOption {
        @Option(names = "--file", paramLabel = "FILE", defaultValue = "${env:SLUICE_API_KEY_FILE}", required = true,
                description = "The API key file, the one the server reads with --api-key-file (default: $SLUICE_API_KEY_FILE).")
        Path file;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key, add its hash to the file and print the key (once: it is stored nowhere).")
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        FileOption file;

        @Option(names = "--stream", paramLabel = "STREAM",
                description = "Limit the key to sending events to this stream; without it the key is global (every route).")
        String stream;

        @Option(names = "--label", paramLabel = "WORD", defaultValue = "",
                description = "A word that says who holds the key, shown by 'keys list'.")
        String label;

        @Option(names = "--rate", paramLabel = "RECORDS_PER_SECOND", defaultValue = "0",
                description = "Records per second the key may ingest (default: the server's --ingest-rate-limit).")
        double rate;

        @Override
        public Integer call() {
            String key = ApiKeys.create(file.file, label, Optional.ofNullable(stream), rate, new SecureRandom());
            Console.print(key);
            Console.error("keys: created key " + key.substring(3, 11) + (stream == null ? " (global)" : " for stream '" + stream + "'")
                    + " in " + file.file + ". Keep it now: only its hash is stored. Send it as Authorization: Bearer <key>.");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys of the file: id, scope, rate, label.")
    static final class ListKeys implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        FileOption file;

        @Override
        public Integer call() {
            List<ApiKeys.Key> keys = ApiKeys.list(file.file);
            Console.print(String.format("%-8s  %-24s  %-10s  %s", "ID", "SCOPE", "RATE", "LABEL"));
            for (ApiKeys.Key k : keys) {
                Console.print(String.format("%-8s  %-24s  %-10s  %s", k.id(), k.stream().map(s -> "stream " + s).orElse("global"),
                        k.ratePerSecond() > 0 ? String.format("%.0f/s", k.ratePerSecond()) : "default", k.label()));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Remove a key from the file; a running server refuses it within a second.")
    static final class Revoke implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        FileOption file;

        @Parameters(paramLabel = "ID", description = "The key's id, as 'keys list' shows it (the 8 hex digits after sk_).")
        String id;

        @Override
        public Integer call() {
            if (!ApiKeys.revoke(file.file, id)) {
                throw new SluiceException("No key with id '" + id + "' in " + file.file + "; 'sluice keys list --file " + file.file
                        + "' shows the ids");
            }
            Console.print("keys: revoked " + id + " in " + file.file + ".");
            return 0;
        }
    }
}
