package dev.sluice.storage;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a {@link PostgresStore} keeps its rows and how the query API reads them.
 *
 * <p>URLs are given as {@code postgresql://host:port/database?user=name} (the {@code jdbc:} prefix is optional). A
 * password never goes in a URL (it would end up in process lists and logs): it comes from the environment or a file,
 * see the CLI's {@code --store-password-file}. {@link #toString()} shows no password.
 *
 * <p>The query API reads through a role that can only read. By default Sluice creates (or updates) the role
 * {@link #readRole()} itself (by default {@code sluice_reader_<database>}: roles belong to the whole PostgreSQL cluster,
 * and one Sluice process writes to a database), with a fresh random password on every start, kept in memory only; that
 * needs the {@code CREATEROLE} right;
 * without that right, create a read-only role yourself and give its URL as {@link #readUrl()}.
 *
 * @param url          JDBC URL of the database, {@code jdbc:postgresql://host:port/database}, without user or password
 * @param user         the role Sluice writes as: it creates the schemas and tables and owns them
 * @param password     that role's password; empty when the server does not ask for one
 * @param readUrl      JDBC URL (without user or password) the query API reads through, when {@link #readUser()} is a
 *                     role set up by hand; empty to let Sluice manage {@link #readRole()}
 * @param readUser     the read-only role to log in as when {@link #readUrl()} is given
 * @param readPassword that role's password; empty when the server does not ask for one
 * @param readRole     the read-only role Sluice manages when no {@link #readUrl()} is given; empty for
 *                     {@code sluice_reader_<database>}
 */
public record PostgresSettings(String url, String user, Optional<String> password, Optional<String> readUrl, String readUser,
        Optional<String> readPassword, Optional<String> readRole) {
    /** The start of the name of the role Sluice creates for the query API unless told otherwise; the database name follows. */
    public static final String DEFAULT_READ_ROLE_PREFIX = "sluice_reader_";
    private static final Pattern URL = Pattern.compile("(?:jdbc:)?postgresql://([^/?#]+)/([^/?#]+)(?:\\?(.*))?");
    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public PostgresSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        password = Objects.requireNonNullElse(password, Optional.empty());
        readUrl = Objects.requireNonNullElse(readUrl, Optional.empty());
        readPassword = Objects.requireNonNullElse(readPassword, Optional.empty());
        if (user.isBlank()) {
            throw new IllegalArgumentException("the PostgreSQL store needs a user: add ?user=NAME to " + url);
        }
        readRole = Objects.requireNonNullElse(readRole, Optional.empty());
        if (readRole.isPresent() && !ROLE.matcher(readRole.get()).matches()) {
            throw new IllegalArgumentException("the read-only role must be a lower-case name of letters, digits and underscores, got '"
                    + readRole + "'");
        }
        if (readUrl.isPresent() && (readUser == null || readUser.isBlank())) {
            throw new IllegalArgumentException("the read URL " + readUrl.get() + " needs a user: add ?user=NAME");
        }
    }

    /**
     * Settings for the database at {@code storeUrl} ({@code postgresql://host:port/database?user=name}), writing as
     * that user with {@code password}, with a Sluice-managed read-only role.
     *
     * @throws IllegalArgumentException when the URL is not of that form, names no user, or holds a password
     */
    public static PostgresSettings of(String storeUrl, Optional<String> password) {
        Parsed p = parse(storeUrl, "--store");
        return new PostgresSettings(p.url(), p.user(), password, Optional.empty(), "", Optional.empty(), Optional.empty());
    }

    /**
     * The same settings with the query API reading through {@code readUrl} (same form as the store URL) as the role
     * named there, instead of a role Sluice manages.
     */
    public PostgresSettings withReadUrl(String readUrl, Optional<String> readPassword) {
        Parsed p = parse(readUrl, "--store-read-url");
        if (p.user().equals(user)) {
            throw new IllegalArgumentException("the read URL logs in as '" + user + "', the role that writes; give a read-only role");
        }
        return new PostgresSettings(url, user, password, Optional.of(p.url()), p.user(), readPassword, readRole);
    }

    /** The same settings with Sluice managing the read-only role {@code role}. */
    public PostgresSettings withReadRole(String role) {
        return new PostgresSettings(url, user, password, readUrl, readUser, readPassword, Optional.of(role));
    }

    /** Whether a text is a PostgreSQL store URL rather than, say, a DuckDB file path. */
    public static boolean isUrl(String text) {
        return text != null && (text.startsWith("postgresql://") || text.startsWith("jdbc:postgresql://"));
    }

    /** The managed read-only role's name for a database: the given one, or the prefix and the database name. */
    public String readRole(String database) {
        if (readRole.isPresent()) {
            return readRole.get();
        }
        String name = (DEFAULT_READ_ROLE_PREFIX + database.toLowerCase(java.util.Locale.ROOT)).replaceAll("[^a-z0-9_]", "_");
        return name.length() <= 63 ? name : name.substring(0, 63);
    }

    private record Parsed(String url, String user) {}

    private static Parsed parse(String text, String option) {
        Matcher m = URL.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " must be a URL like postgresql://localhost:5432/sluice?user=sluice, got '"
                    + text + "'");
        }
        String user = "";
        List<String> kept = new ArrayList<>();
        if (m.group(3) != null && !m.group(3).isEmpty()) {
            for (String param : m.group(3).split("&")) {
                int eq = param.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                if (key.equalsIgnoreCase("password")) {
                    throw new IllegalArgumentException(option + " must not hold a password (it would show in process lists and logs);"
                            + " pass it in a file (--store-password-file) or the environment instead");
                }
                if (key.equals("user")) {
                    user = value;
                } else {
                    kept.add(param);
                }
            }
        }
        if (user.isEmpty()) {
            throw new IllegalArgumentException(option + " must name the user to log in as, e.g. postgresql://" + m.group(1) + "/"
                    + m.group(2) + "?user=sluice; got '" + text + "'");
        }
        String url = "jdbc:postgresql://" + m.group(1) + "/" + m.group(2) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new Parsed(url, user);
    }

    /** The store's URL with its user, for messages; never a password. */
    public String location() {
        return url.substring("jdbc:".length()) + (url.contains("?") ? "&" : "?") + "user=" + user;
    }

    @Override
    public String toString() {
        return "PostgresSettings[" + location() + ", password " + (password.isPresent() ? "set" : "not set") + ", reads "
                + readUrl.map(r -> "through " + r + " as " + readUser).orElse("as the managed role " + readRole.orElse(DEFAULT_READ_ROLE_PREFIX + "<database>")) + "]";
    }
}
