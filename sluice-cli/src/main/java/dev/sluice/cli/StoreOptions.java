package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.storage.DuckDbSettings;
import dev.sluice.storage.PostgresSettings;
import dev.sluice.storage.StoreSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where {@code run}, {@code serve} and {@code demo} keep their tables: the embedded DuckDB file by default, or a
 * PostgreSQL database with {@code --store}. Passwords come from a file or the environment, never from the command
 * line, and are never logged.
 */
final class StoreOptions {
    /** The environment variable the store password is read from when no file is given. */
    static final String PASSWORD_ENV = "SLUICE_STORE_PASSWORD";
    /** The environment variable the read-only role's password is read from when no file is given. */
    static final String READ_PASSWORD_ENV = "SLUICE_STORE_READ_PASSWORD";

    @Option(names = "--store", paramLabel = "URL",
            description = "Keep the tables in this PostgreSQL database instead of the embedded DuckDB file, e.g. "
                    + "postgresql://db:5432/sluice?user=sluice. The password comes from --store-password-file or $" + PASSWORD_ENV
                    + "; see docs/scale-out.md.")
    String store;

    @Option(names = "--store-password-file", paramLabel = "FILE",
            description = "A file holding the --store user's password (its first line).")
    Path passwordFile;

    @Option(names = "--store-read-url", paramLabel = "URL",
            description = "Let API queries read through this URL's role, which must only be able to read, instead of a "
                    + "read-only role Sluice creates (which needs CREATEROLE). Its password comes from "
                    + "--store-read-password-file or $" + READ_PASSWORD_ENV + ".")
    String readUrl;

    @Option(names = "--store-read-password-file", paramLabel = "FILE",
            description = "A file holding the --store-read-url role's password (its first line).")
    Path readPasswordFile;

    /** The store to use, with DuckDB limited by {@code duckDb} when DuckDB is it. */
    StoreSettings settings(DuckDbSettings duckDb, Map<String, String> env) {
        StoreSettings settings = StoreSettings.of(duckDb);
        if (store == null) {
            if (readUrl != null || passwordFile != null || readPasswordFile != null) {
                throw new SluiceException("--store-password-file, --store-read-url and --store-read-password-file need --store");
            }
            return settings;
        }
        try {
            PostgresSettings postgres = PostgresSettings.of(store, password(passwordFile, "--store-password-file", env.get(PASSWORD_ENV)));
            if (readUrl != null) {
                postgres = postgres.withReadUrl(readUrl, password(readPasswordFile, "--store-read-password-file", env.get(READ_PASSWORD_ENV)));
            } else if (readPasswordFile != null) {
                throw new SluiceException("--store-read-password-file needs --store-read-url");
            }
            return settings.withPostgres(postgres);
        } catch (IllegalArgumentException e) {
            throw new SluiceException("Invalid --store option: " + e.getMessage(), e);
        }
    }

    private static Optional<String> password(Path file, String option, String fromEnv) {
        if (file == null) {
            return Optional.ofNullable(fromEnv).filter(p -> !p.isEmpty());
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = (end < 0 ? text : text.substring(0, end)).strip();
            if (line.isEmpty()) {
                throw new SluiceException(option + " " + file + " is empty; expected the password on its first line");
            }
            return Optional.of(line);
        } catch (IOException e) {
            throw new SluiceException("Cannot read " + option + " " + file + ": " + e.getMessage(), e);
        }
    }
}
